package io.flowsock.spring.messaging;

import java.nio.ByteBuffer;
import java.util.List;
import org.springframework.messaging.Message;
import org.springframework.messaging.tcp.reactor.TcpMessageCodec;

/**
 * Feeds a connection's received buffers to a {@link TcpMessageCodec}, keeping what it leaves
 * undecoded (the start of a frame cut by a buffer's end) for the next buffer, as Netty's
 * {@code ByteToMessageDecoder} cumulates for Reactor Netty's codecs. A codec decodes what whole
 * frames it finds and leaves the buffer's position at the first byte it could not use.
 *
 * <p>Runs only on its connection's port thread (inbound signals are serial).
 */
final class Cumulation<P> {
    private final TcpMessageCodec<P> codec;
    private final int maxPending;
    /** Undecoded bytes in read mode, position 0; null when nothing is left over. */
    private ByteBuffer pending;

    Cumulation(TcpMessageCodec<P> codec, int maxPending) {
        this.codec = codec;
        this.maxPending = maxPending;
    }

    /** The messages the bytes so far complete; what is left is kept for the next call. */
    List<Message<P>> decode(ByteBuffer received) {
        ByteBuffer in = pending == null ? received : append(pending, received);
        List<Message<P>> messages = codec.decode(in);
        if (!in.hasRemaining()) {
            pending = null;
        } else if (in.remaining() > maxPending) {
            throw new FrameTooLargeException(in.remaining(), maxPending);
        } else if (in == received) {
            // the received buffer is ours for good: keep its tail in place, in a buffer with room
            pending = ByteBuffer.allocate(Math.max(in.remaining() * 2, 4096)).put(in).flip();
        } else {
            pending = in.compact().flip();
        }
        return messages;
    }

    /** {@code tail} appended to {@code head}, in head's buffer when it has room, else in one twice as large. */
    private static ByteBuffer append(ByteBuffer head, ByteBuffer tail) {
        int needed = head.remaining() + tail.remaining();
        if (head.capacity() - head.limit() >= tail.remaining()) {
            int start = head.position();
            head.position(head.limit()).limit(head.limit() + tail.remaining());
            head.put(tail);
            return head.position(start);
        }
        return ByteBuffer.allocate(Math.max(needed, head.capacity() * 2)).put(head).put(tail).flip();
    }

    /** Undecoded bytes held right now. */
    int pending() {
        return pending == null ? 0 : pending.remaining();
    }
}
