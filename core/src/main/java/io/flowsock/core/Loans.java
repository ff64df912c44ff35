package io.flowsock.core;

import io.flowsock.core.spi.SocketIo;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Receive buffers that a channel's handler passed straight to the same channel's output (an echo:
 * {@code send(inbound())}) instead of owning a copy. They are the port's own memory: written in
 * place, then given back to the backend once fully written, or once the channel is released
 * (never earlier, so the kernel never writes from a buffer that is already reading for someone
 * else). Created on the first loan, so a connection that never echoes holds none.
 *
 * <p>Runs only on its channel's port thread.
 */
final class Loans {
    private final SocketIo io;
    private final ArrayDeque<ByteBuffer> queued = new ArrayDeque<>(4);   // in write order, not yet written

    Loans(SocketIo io) {
        this.io = io;
    }

    /** {@code b} is queued for writing: it is the backend's again only once written. */
    void queued(ByteBuffer b) {
        queued.add(b);
    }

    /** {@code head} is fully written; if it is the oldest loan, it goes back to the backend. */
    void written(ByteBuffer head) {
        if (queued.peek() == head) {
            queued.poll();
            io.recycle(head);
        }
    }

    /** The channel is released: nothing can write from the loans any more. */
    void releaseAll() {
        for (ByteBuffer b = queued.poll(); b != null; b = queued.poll()) {
            io.recycle(b);
        }
    }
}
