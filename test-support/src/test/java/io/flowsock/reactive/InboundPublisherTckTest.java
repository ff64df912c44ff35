package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The Reactive Streams TCK against {@link Connection#inbound()} itself, over real loopback
 * connections.
 *
 * <p>Inbound emits one buffer per filled read, and a read takes whatever the kernel holds: bytes
 * the peer wrote apart may arrive as one buffer. So the peer here is paced: it writes one byte,
 * and the next only once the client's inbound has delivered the previous one; after the n-th is
 * delivered it sends FIN. Each read then finds exactly one byte, and inbound emits exactly n
 * elements, whatever the demand pattern. The pacing is learnt from a transparent observer between
 * inbound and the TCK's subscriber: it passes inbound's own {@link Subscription} through untouched
 * (so request and cancel reach inbound directly) and forwards every signal as it came, then
 * notes a delivered element. The failed publisher is the inbound of a connection whose peer reset
 * it and that has seen the reset.
 */
public class InboundPublisherTckTest extends PublisherVerification<ByteBuffer> {
    /** Client-side port to the pacer shared by the two ends of that connection. */
    private final Map<Integer, Pacer> pacers = new ConcurrentHashMap<>();
    private final TckPeers peers = new TckPeers((n, accepted) -> pacer(accepted.remoteAddress().getPort()).bytes(n));

    public InboundPublisherTckTest() {
        super(new TestEnvironment(2_000, 100), 2_000);
    }

    private Pacer pacer(int clientPort) {
        return pacers.computeIfAbsent(clientPort, p -> new Pacer());
    }

    @Override
    public Publisher<ByteBuffer> createPublisher(long elements) {
        Connection conn = peers.connectToSender(elements);
        Pacer pacer = pacer(conn.localAddress().getPort());
        Flux<ByteBuffer> inbound = inboundOf(conn);
        return subscriber -> inbound.subscribe(subscriber == null ? null : new DeliveryObserver<>(subscriber, pacer::onDelivered));
    }

    @Override
    public Publisher<ByteBuffer> createFailedPublisher() {
        return inboundOf(peers.connectToResetter());
    }

    /** The publisher under test: the connection's inbound. */
    Flux<ByteBuffer> inboundOf(Connection conn) {
        return conn.inbound();
    }

    @AfterMethod
    public void closeConnections() {
        peers.closeConnections();
        pacers.clear();
    }

    @AfterClass
    public void closePeers() {
        peers.closeAll();
    }

    /** The server's outbound for one connection: one byte per element, each after the previous was delivered. */
    static final class Pacer {
        private final AtomicLong delivered = new AtomicLong();
        private volatile FluxSink<ByteBuffer> sink;   // set by the server's send before the first byte
        private volatile long total;

        Flux<ByteBuffer> bytes(long n) {
            return Flux.create(s -> {
                total = n;
                sink = s;
                if (n == 0) {
                    s.complete();
                } else {
                    s.next(oneByte());
                }
            });
        }

        void onDelivered() {
            long k = delivered.incrementAndGet();
            if (k < total) {
                sink.next(oneByte());
            } else if (k == total) {
                sink.complete();
            }
        }

        private static ByteBuffer oneByte() {
            return ByteBuffer.wrap(new byte[] {42});
        }
    }
}
