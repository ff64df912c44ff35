package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.tck.SubscriberBlackboxVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;

/**
 * The Reactive Streams TCK against the subscriber that {@link Connection#send} subscribes to its
 * data Publisher: each test's subscriber is captured by starting a real send on a loopback
 * connection to a peer that reads and drops everything, so the elements the TCK signals are
 * written to a real socket and the demand it sees is the channel's sendCap credit.
 */
public class SendSubscriberTckTest extends SubscriberBlackboxVerification<ByteBuffer> {
    private final TckPeers peers = new TckPeers((n, accepted) -> TckPeers.elements(0, i -> null));

    public SendSubscriberTckTest() {
        super(new TestEnvironment(2_000, 100));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Subscriber<ByteBuffer> createSubscriber() {
        Connection conn = peers.connectToDrainer();
        AtomicReference<Subscriber<? super ByteBuffer>> captured = new AtomicReference<>();
        Publisher<ByteBuffer> capture = captured::set;
        conn.send(capture).subscribe(null, e -> { });   // the send subscribes to the data at once
        return (Subscriber<ByteBuffer>) captured.get();
    }

    @Override
    public ByteBuffer createElement(int element) {
        return ByteBuffer.allocate(4).putInt(element).flip();
    }

    @AfterMethod
    public void closeConnections() {
        peers.closeConnections();
    }

    @AfterClass
    public void closePeers() {
        peers.closeAll();
    }
}
