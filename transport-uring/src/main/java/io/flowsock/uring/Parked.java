package io.flowsock.uring;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * What a connection's multishot receive brought while no read was posted, oldest first: at most
 * {@link #LIMIT} small buffers of the port's ring, then heap copies of the rest. Ring buffers are
 * kept only while no copy is queued, so taking buffers first and copies after keeps the order.
 * While it holds ring buffers it is listed in the ring, which asks it to turn them into copies
 * when receives elsewhere find the ring empty.
 *
 * <p>Runs only on its port's thread.
 */
final class Parked extends BufferRing.Parker {
    /** Small buffers one connection may keep parked: what its next read on the small rung takes. */
    static final int LIMIT = 1;

    private final BufferRing small;
    private final int[] ids = new int[LIMIT];
    private final int[] lengths = new int[LIMIT];
    private int count;
    private ArrayDeque<ByteBuffer> copies;   // null when empty: an idle connection keeps no queue

    Parked(BufferRing small) {
        this.small = small;
    }

    boolean isEmpty() {
        return count == 0 && copies == null;
    }

    /** Ring buffers parked; {@link #takeBuffers} hands them out before any copy. */
    int buffers() {
        return count;
    }

    /** Keeps small buffer {@code bid}, or a heap copy of it once the limit is reached. */
    void add(int bid, int length) {
        if (count < LIMIT && copies == null) {
            small.parking(this);
            ids[count] = bid;
            lengths[count] = length;
            count++;
            return;
        }
        copy(bid, length, false);
    }

    private void copy(int bid, int length, boolean first) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(small.view(bid, length)).flip();
        small.recycle(bid);
        if (copies == null) {
            copies = new ArrayDeque<>();
        }
        if (first) {
            copies.addFirst(b);
        } else {
            copies.addLast(b);
        }
    }

    /** The small ring ran dry: the parked buffers become heap copies, ahead of any copied before. */
    @Override
    void spillParked() {
        for (int i = count - 1; i >= 0; i--) {
            copy(ids[i], lengths[i], true);
        }
        count = 0;
    }

    /** Moves up to {@code max} parked ring buffers, oldest first, into the arrays; returns how many. */
    int takeBuffers(int[] intoIds, int[] intoLengths, int max) {
        int n = Math.min(count, max);
        System.arraycopy(ids, 0, intoIds, 0, n);
        System.arraycopy(lengths, 0, intoLengths, 0, n);
        System.arraycopy(ids, n, ids, 0, count - n);
        System.arraycopy(lengths, n, lengths, 0, count - n);
        count -= n;
        if (count == 0) {
            small.parked(this);
        }
        return n;
    }

    /** Moves up to {@code max} copies, oldest first, into {@code into}; returns how many. */
    int takeCopies(ByteBuffer[] into, int max) {
        int n = Math.min(copies.size(), max);
        for (int i = 0; i < n; i++) {
            into[i] = copies.poll();
        }
        if (copies.isEmpty()) {
            copies = null;
        }
        return n;
    }

    /** The socket closed: the ring buffers go back, the copies are dropped. */
    void clear() {
        for (int i = 0; i < count; i++) {
            small.recycle(ids[i]);
        }
        count = 0;
        small.parked(this);
        copies = null;
    }
}
