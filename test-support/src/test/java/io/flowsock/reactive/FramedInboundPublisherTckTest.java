package io.flowsock.reactive;

import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;

/**
 * The Reactive Streams TCK against a connection's inbound cut into frames by
 * {@link Frames#decodeLengthPrefixed}: the peer sends n frames of 4 bytes, each behind a 4-byte
 * length, then FIN, so the publisher emits exactly n elements however TCP cut the stream. This
 * covers the rules that need several elements, which the raw inbound cannot promise (see
 * {@link InboundPublisherTckTest}); the decoder forwards demand, cancellation and the end signals
 * to the inbound under it, which is what these rules exercise. The failed publisher decodes the
 * inbound of a connection whose peer reset it.
 */
public class FramedInboundPublisherTckTest extends PublisherVerification<ByteBuffer> {
    private final TckPeers peers = new TckPeers((n, accepted) -> TckPeers.elements(n, FramedInboundPublisherTckTest::frame));

    public FramedInboundPublisherTckTest() {
        super(new TestEnvironment(2_000, 100), 2_000);
    }

    static ByteBuffer frame(long index) {
        return ByteBuffer.allocate(8).putInt(4).putInt((int) index).flip();
    }

    @Override
    public Publisher<ByteBuffer> createPublisher(long elements) {
        return Frames.decodeLengthPrefixed(peers.connectToSender(elements).inbound(), 4, 1024);
    }

    @Override
    public Publisher<ByteBuffer> createFailedPublisher() {
        return Frames.decodeLengthPrefixed(peers.connectToResetter().inbound(), 4, 1024);
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
