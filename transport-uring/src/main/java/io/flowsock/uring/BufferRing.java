package io.flowsock.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A provided-buffer ring (IORING_REGISTER_PBUF_RING): {@code count} buffers of {@code size} bytes
 * that the kernel picks from when a receive arrives, so a connection waiting for data holds no
 * receive memory at all. A buffer the kernel filled is lent to one read and goes back to the ring
 * once the core has copied it out ({@link #recycle}); the new tail is published with release
 * before the next submission ({@link #publish}).
 *
 * <p>The ring keeps its own account: how many buffers the kernel may pick from, the receives that
 * found it empty (ENOBUFS), and the connections that keep buffers parked for a read not yet
 * posted. Before each submission ({@link #serviceStarved}) starved receives are retried once a
 * buffer is back, whichever way it came back (delivered, closed, cancelled); and if the ring is
 * still empty, parked buffers are copied out first, so no connection's pause can hold the ring.
 *
 * <p>Runs only on its port's thread.
 */
final class BufferRing {
    private static final int REGISTER_PBUF_RING = 22;
    private static final VarHandle SHORT_HANDLE = ValueLayout.JAVA_SHORT.varHandle();
    private static final long TAIL_OFFSET = 14;   // struct io_uring_buf_ring: the tail overlays bufs[0].resv

    final short group;
    final int size;
    private final MemorySegment ring;
    private final MemorySegment memory;
    private final ByteBuffer[] views;
    private final int mask;
    private final int count;
    private int tail;
    private boolean dirty;
    private int available;                  // buffers in the ring or waiting for the next publish
    private final Custody custody;          // which buffers are out: a second return is refused
    private final ArrayDeque<Waiter> starved = new ArrayDeque<>();
    private Parker parkers;                 // head of the intrusive list of connections with buffers parked

    BufferRing(Arena arena, MemorySegment state, int ringFd, short group, int count, int size) {
        if (Integer.bitCount(count) != 1 || count > 32768) {
            throw new IllegalArgumentException("buffer count must be a power of two <= 32768, was " + count);
        }
        this.group = group;
        this.size = size;
        this.mask = count - 1;
        this.count = count;
        this.custody = new Custody("the io_uring ring of group " + group, count);
        ring = arena.allocate(16L * count, 4096);
        memory = arena.allocate((long) count * size, 4096);
        views = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            views[i] = memory.asSlice((long) i * size, size).asByteBuffer();
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(40, 8);
            reg.set(ValueLayout.JAVA_LONG, 0, ring.address());
            reg.set(ValueLayout.JAVA_INT, 8, count);
            reg.set(ValueLayout.JAVA_SHORT, 12, group);
            Native.ioUringRegister(state, ringFd, REGISTER_PBUF_RING, reg, 1);
        }
        for (int i = 0; i < count; i++) {
            put(i);
        }
        publish();
    }

    /** The buffer {@code id} holding {@code length} received bytes, ready to read. */
    ByteBuffer view(int id, int length) {
        ByteBuffer b = views[id];
        b.clear().limit(length);
        return b;
    }

    /** All the ring's buffers, buffer {@code id} at {@code id * size}. */
    MemorySegment memory() {
        return memory;
    }

    /** The one view of buffer {@code id}, as {@link #view} last handed it out. */
    ByteBuffer viewOf(int id) {
        return views[id];
    }

    /** The buffer a completion with {@code cqeFlags} (which has CQE_F_BUFFER) carries, now the caller's. */
    int take(int cqeFlags) {
        int id = cqeFlags >>> 16;
        custody.taken(id);
        available--;
        return id;
    }

    /** Whether a buffer may be lent past its read: at least a quarter of the ring is still free. */
    boolean lendable() {
        return available > count / 4;
    }

    /** Buffers taken from the ring and not given back. */
    int inUse() {
        return count - available;
    }

    /** Returns refused because the ring already held the buffer: each would have corrupted it. */
    int refusedReturns() {
        return custody.refused();
    }

    /** A receive of {@code w} found the ring empty: retried once a buffer is back. */
    void starved(Waiter w) {
        starved.add(w);
    }

    /** {@code p} now keeps buffers of this ring parked: asked to copy them out if the ring runs dry. */
    void parking(Parker p) {
        if (p.listed) {
            return;
        }
        p.listed = true;
        p.prevParker = null;
        p.nextParker = parkers;
        if (parkers != null) {
            parkers.prevParker = p;
        }
        parkers = p;
    }

    /** {@code p} keeps no buffer of this ring parked any more. */
    void parked(Parker p) {
        if (!p.listed) {
            return;
        }
        p.listed = false;
        if (p.prevParker != null) {
            p.prevParker.nextParker = p.nextParker;
        } else {
            parkers = p.nextParker;
        }
        if (p.nextParker != null) {
            p.nextParker.prevParker = p.prevParker;
        }
        p.prevParker = null;
        p.nextParker = null;
    }

    /**
     * Before a submission: if receives are starved and the ring is empty, parked buffers are copied
     * out and given back; then, with buffers back, every starved receive is retried (those that
     * find the ring empty again are queued again).
     */
    void serviceStarved() {
        if (starved.isEmpty()) {
            return;
        }
        if (available == 0) {
            while (parkers != null) {
                Parker p = parkers;
                parked(p);
                p.spillParked();
            }
        }
        if (available == 0) {
            return;
        }
        for (int n = starved.size(); n > 0; n--) {
            starved.poll().retryReceive();
        }
    }

    /**
     * Gives buffer {@code id} back to the kernel (visible from the next {@link #publish}); a buffer
     * the ring already holds is refused, so it is never in the ring twice.
     */
    void recycle(int id) {
        if (custody.givenBack(id)) {
            put(id);
        }
    }

    private void put(int id) {
        long off = 16L * (tail & mask);
        ring.set(ValueLayout.JAVA_LONG, off, memory.address() + (long) id * size);
        ring.set(ValueLayout.JAVA_INT, off + 8, size);
        ring.set(ValueLayout.JAVA_SHORT, off + 12, (short) id);
        tail++;
        available++;
        dirty = true;
    }

    void publish() {
        if (dirty) {
            dirty = false;
            SHORT_HANDLE.setRelease(ring, TAIL_OFFSET, (short) tail);
        }
    }

    /** A receive that found the ring empty. */
    interface Waiter {
        /** Buffers are back: post the receive again if it is still wanted. */
        void retryReceive();
    }

    /**
     * A connection that keeps buffers of the ring parked for its next read; listed in the ring
     * (intrusively: a connection that parks and unparks often allocates nothing) while it does.
     */
    abstract static class Parker {
        private boolean listed;
        private Parker prevParker;
        private Parker nextParker;

        /** The ring is empty and receives starve: copy the parked buffers out and give them back. */
        abstract void spillParked();
    }
}
