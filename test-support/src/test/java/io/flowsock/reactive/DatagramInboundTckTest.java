package io.flowsock.reactive;

import io.flowsock.core.Datagram;
import io.flowsock.core.Transport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;

/**
 * The Reactive Streams TCK against {@link UdpEndpoint#inbound()}, over real loopback sockets. The
 * n datagrams are sent before anyone subscribes; the kernel holds them until the subscriber's
 * demand lets a receive be posted. A UDP socket's inbound ends only when the socket closes, so a
 * transparent observer between inbound and the TCK's subscriber disposes the socket once the n-th
 * datagram is delivered, which completes inbound. No failed publisher: a receive fails only on a
 * connected socket, and only once demand posts one.
 */
public class DatagramInboundTckTest extends PublisherVerification<Datagram> {
    private final List<UdpEndpoint> open = new CopyOnWriteArrayList<>();
    private Transport transport;

    public DatagramInboundTckTest() {
        super(new TestEnvironment(2_000, 100), 2_000);
    }

    @BeforeClass
    public void openTransport() {
        transport = Transport.nio2(2);
    }

    @AfterClass
    public void closeTransport() {
        transport.close();
    }

    @AfterMethod
    public void closeSockets() {
        for (UdpEndpoint e : open) {
            e.disposeNow(Duration.ofSeconds(5));
        }
        open.clear();
    }

    /** The kernel must hold them all before the first receive: a socket's default buffer holds a few hundred. */
    @Override
    public long maxElementsFromPublisher() {
        return 128;
    }

    @Override
    public Publisher<Datagram> createPublisher(long elements) {
        UdpEndpoint e = UdpServer.create().host("127.0.0.1").port(0).transport(transport).bindNow();
        open.add(e);
        send(e.localAddress(), elements);
        if (elements == 0) {
            e.dispose();
        }
        AtomicLong delivered = new AtomicLong();
        return subscriber -> e.inbound().subscribe(subscriber == null ? null : new DeliveryObserver<>(subscriber, () -> {
            if (delivered.incrementAndGet() == elements) {
                e.dispose();              // the last one: closing the socket completes its inbound
            }
        }));
    }

    private static void send(InetSocketAddress to, long n) {
        try (DatagramSocket peer = new DatagramSocket()) {
            for (long i = 0; i < n; i++) {
                peer.send(new DatagramPacket(new byte[] {(byte) i}, 1, to));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public Publisher<Datagram> createFailedPublisher() {
        return null;
    }
}
