package io.flowsock.core.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A port's receive memory on the JDK backends (nio2, selector): direct buffers that reads land in
 * before the bytes are copied into the subscriber's own heap buffer, or lent to it. Large buffers
 * serve bursts; small ones, cut from shared slabs, serve connections that are waiting for their
 * next short message, so that thousands of idle connections pin kilobytes, not megabytes.
 *
 * <p>Runs only on its port's thread.
 */
public final class ReceiveBuffers {
    public static final int LARGE = 64 * 1024;
    public static final int SMALL = 1024;
    private static final int SLAB = 64 * SMALL;
    /** Large buffers kept for reuse; beyond that, buffers are left to the garbage collector. */
    private static final int RETAINED_LARGE = 64;

    private final ArrayDeque<ByteBuffer> large = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> small = new ArrayDeque<>();

    public ByteBuffer take(boolean isSmall) {
        if (isSmall) {
            ByteBuffer b = small.poll();
            if (b == null) {
                ByteBuffer slab = ByteBuffer.allocateDirect(SLAB);
                for (int off = SMALL; off < SLAB; off += SMALL) {
                    small.add(slab.slice(off, SMALL));
                }
                b = slab.slice(0, SMALL);
            }
            return b;
        }
        ByteBuffer b = large.poll();
        return b != null ? b : ByteBuffer.allocateDirect(LARGE);
    }

    public void release(ByteBuffer b) {
        b.clear();
        if (b.capacity() == SMALL) {
            small.push(b);
        } else if (large.size() < RETAINED_LARGE) {
            large.push(b);
        }
    }
}
