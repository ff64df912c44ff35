package io.flowsock.uring;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Receive buffers of one connection that the core kept past their read completion (lent to an
 * echo: written in place by the connection's own send), each as where it goes back to (its
 * provided-buffer ring, or the port's scatter buffers) and its id there; the view the core holds
 * is the pool's one view of that id, so it is derived, not stored. At most {@code sendCap} of
 * them, found by identity when the core gives one back; oldest first, which is the order writes
 * retire them, so the search usually stops at the first. Made on the first loan.
 *
 * <p>Runs only on its port's thread.
 */
final class Lent {
    private BufferRing[] rings = new BufferRing[4];   // null: one of the port's scatter buffers
    private int[] ids = new int[4];
    private int count;

    void add(BufferRing ring, int id) {
        if (count == ids.length) {
            rings = Arrays.copyOf(rings, count * 2);
            ids = Arrays.copyOf(ids, count * 2);
        }
        rings[count] = ring;
        ids[count] = id;
        count++;
    }

    /** Gives {@code view} back to where it came from; false if it is not a loan of this connection. */
    boolean giveBack(ByteBuffer view, ScatterBuffers scatter) {
        for (int i = 0; i < count; i++) {
            BufferRing ring = rings[i];
            int id = ids[i];
            if ((ring != null ? ring.viewOf(id) : scatter.viewOf(id)) != view) {
                continue;
            }
            giveBack(ring, id, scatter);
            count--;
            System.arraycopy(rings, i + 1, rings, i, count - i);
            System.arraycopy(ids, i + 1, ids, i, count - i);
            rings[count] = null;
            return true;
        }
        return false;
    }

    /** Gives buffer {@code id} back to {@code ring}, or to {@code scatter} when {@code ring} is null. */
    static void giveBack(BufferRing ring, int id, ScatterBuffers scatter) {
        if (ring != null) {
            ring.recycle(id);
        } else {
            scatter.release(id);
        }
    }
}
