package io.flowsock.uring;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Receive buffers of one connection that the core kept past their read completion (lent to an
 * echo: written in place by the connection's own send), each with where it goes back to: its
 * provided-buffer ring, or the port's scatter buffers. At most {@code sendCap} of them, found by
 * identity when the core gives one back; oldest first, which is the order writes retire them.
 * Made on the first loan.
 *
 * <p>Runs only on its port's thread.
 */
final class Lent {
    private ByteBuffer[] views = new ByteBuffer[4];
    private BufferRing[] rings = new BufferRing[4];   // null: one of the port's scatter buffers
    private int[] ids = new int[4];
    private int count;

    void add(ByteBuffer view, BufferRing ring, int id) {
        if (count == views.length) {
            views = Arrays.copyOf(views, count * 2);
            rings = Arrays.copyOf(rings, count * 2);
            ids = Arrays.copyOf(ids, count * 2);
        }
        views[count] = view;
        rings[count] = ring;
        ids[count] = id;
        count++;
    }

    /** Gives {@code view} back to where it came from; false if it is not a loan of this connection. */
    boolean giveBack(ByteBuffer view, ScatterBuffers scatter) {
        for (int i = 0; i < count; i++) {
            if (views[i] == view) {
                if (rings[i] != null) {
                    rings[i].recycle(ids[i]);
                } else {
                    scatter.release(ids[i]);
                }
                count--;
                System.arraycopy(views, i + 1, views, i, count - i);
                System.arraycopy(rings, i + 1, rings, i, count - i);
                System.arraycopy(ids, i + 1, ids, i, count - i);
                views[count] = null;
                rings[count] = null;
                return true;
            }
        }
        return false;
    }
}
