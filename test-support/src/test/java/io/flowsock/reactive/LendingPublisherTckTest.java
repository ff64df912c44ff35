package io.flowsock.reactive;

import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;

/**
 * The Reactive Streams TCK against the loaned mode, {@link Connection#inbound(java.util.function.Function)},
 * with the same paced peers as {@link InboundPublisherTckTest}: the reader copies each lent byte
 * into a buffer of its own, so every element the TCK sees is still one read.
 */
public class LendingPublisherTckTest extends InboundPublisherTckTest {
    @Override
    Flux<ByteBuffer> inboundOf(Connection conn) {
        return conn.inbound(b -> ByteBuffer.wrap(Loopback.bytes(b)));
    }
}
