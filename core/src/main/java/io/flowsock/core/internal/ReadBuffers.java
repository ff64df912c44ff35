package io.flowsock.core.internal;

import java.nio.ByteBuffer;

/**
 * One socket's buffers for the read being performed on a JDK backend (nio2, selector): taken from
 * the port's {@link ReceiveBuffers}, handed to the read completion, and given back after it, except
 * those the completion kept (it nulls their slots, and gives them back later by
 * {@link io.flowsock.core.spi.SocketIo#recycle}).
 *
 * <p>Runs only on its port's thread.
 */
public final class ReadBuffers {
    private final ReceiveBuffers pool;
    private ByteBuffer[] taken = new ByteBuffer[1];
    private int count;

    public ReadBuffers(ReceiveBuffers pool) {
        this.pool = pool;
    }

    /**
     * Takes {@code n} buffers, small ones when {@code small}. Out of direct memory, it gives back
     * what it took and throws.
     */
    public ByteBuffer[] take(int n, boolean small) {
        if (taken.length < n) {
            taken = new ByteBuffer[n];
        }
        try {
            for (int i = 0; i < n; i++) {
                taken[i] = pool.take(small);
                count = i + 1;
            }
        } catch (OutOfMemoryError | RuntimeException e) {
            release();
            throw e;
        }
        return taken;
    }

    /** How many buffers the read was given. */
    public int count() {
        return count;
    }

    /** Flips each buffer for reading; returns how many of them, from the first, hold bytes. */
    public int flip() {
        int filled = 0;
        for (int i = 0; i < count; i++) {
            if (taken[i].flip().hasRemaining()) {
                filled = i + 1;
            }
        }
        return filled;
    }

    /** Gives the buffers back, except those the completion kept (their slots are null). Idempotent. */
    public void release() {
        for (int i = 0; i < count; i++) {
            ByteBuffer b = taken[i];
            if (b != null) {
                pool.release(b);
                taken[i] = null;
            }
        }
        count = 0;
    }

    /** Takes back a buffer a completion kept. */
    public void recycle(ByteBuffer buffer) {
        pool.release(buffer);
    }
}
