package io.flowsock.spring;

import java.nio.ByteBuffer;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBuffer;

/**
 * Spring's outbound {@link DataBuffer}s as the ByteBuffers flowsock writes. flowsock tells no one
 * when a given buffer has been written, so a buffer that must be released (pooled memory, such as
 * Netty's) cannot be lent: it is copied once and released at once. A {@link DefaultDataBuffer}
 * (what {@code DefaultDataBufferFactory}, the factory both sides hand to Spring's codecs, makes)
 * has nothing to release and is lent as a view of its readable bytes.
 */
final class OutboundBuffers {
    private OutboundBuffers() {
    }

    /** The readable bytes as a ByteBuffer: a view of a DefaultDataBuffer, a copy of any other. */
    static ByteBuffer byteBuffer(DataBuffer buffer) {
        if (buffer instanceof DefaultDataBuffer d) {
            return d.getNativeBuffer().slice(d.readPosition(), d.readableByteCount());
        }
        byte[] bytes = new byte[buffer.readableByteCount()];
        buffer.read(bytes);
        DataBufferUtils.release(buffer);
        return ByteBuffer.wrap(bytes);
    }
}
