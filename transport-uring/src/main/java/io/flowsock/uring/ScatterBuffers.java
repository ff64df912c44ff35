package io.flowsock.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The port's own large receive buffers, for reads of several buffers: one {@code recvmsg} scatters
 * into exactly as many as the read may fill, which a provided-buffer receive cannot promise (a
 * bundle may take more than asked). They are lent to one read at a time, from the post to the
 * completion, like nio2's; allocated in slabs as reads need them and kept until the port closes.
 *
 * <p>Runs only on its port's thread.
 */
final class ScatterBuffers {
    static final int SIZE = UringPort.LARGE;
    private static final int SLAB = 16;

    private final Arena arena;
    private MemorySegment[] buffers = new MemorySegment[0];
    private ByteBuffer[] views = new ByteBuffer[0];
    private int[] free = new int[0];
    private int freeCount;
    private final Custody custody = new Custody("the io_uring port's scatter buffers", 0);

    ScatterBuffers(Arena arena) {
        this.arena = arena;
    }

    int take() {
        if (freeCount == 0) {
            grow();
        }
        int id = free[--freeCount];
        custody.taken(id);
        return id;
    }

    /** Gives buffer {@code id} back; one already free is refused, so no two reads ever share it. */
    void release(int id) {
        if (custody.givenBack(id)) {
            free[freeCount++] = id;
        }
    }

    /** Buffers taken and not given back. */
    int inUse() {
        return buffers.length - freeCount;
    }

    /** Returns refused because the buffer was already free. */
    int refusedReturns() {
        return custody.refused();
    }

    long address(int id) {
        return buffers[id].address();
    }

    /** Buffer {@code id} holding {@code length} received bytes, ready to read. */
    ByteBuffer view(int id, int length) {
        ByteBuffer b = views[id];
        b.clear().limit(length);
        return b;
    }

    /** The one view of buffer {@code id}, as {@link #view} last handed it out. */
    ByteBuffer viewOf(int id) {
        return views[id];
    }

    private void grow() {
        int n = buffers.length;
        MemorySegment slab = arena.allocate((long) SLAB * SIZE, 4096);
        buffers = Arrays.copyOf(buffers, n + SLAB);
        views = Arrays.copyOf(views, n + SLAB);
        free = Arrays.copyOf(free, n + SLAB);
        custody.grow(n + SLAB);
        for (int i = 0; i < SLAB; i++) {
            buffers[n + i] = slab.asSlice((long) i * SIZE, SIZE);
            views[n + i] = buffers[n + i].asByteBuffer();
            free[freeCount++] = n + i;
        }
    }
}
