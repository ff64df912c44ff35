package io.flowsock.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A provided-buffer ring (IORING_REGISTER_PBUF_RING): {@code count} buffers of {@code size} bytes
 * that the kernel picks from when a receive arrives, so a connection waiting for data holds no
 * receive memory at all. A buffer the kernel filled is lent to one read and goes back to the ring
 * once the core has copied it out ({@link #recycle}); the new tail is published with release
 * before the next submission ({@link #publish}).
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
    private int tail;
    private boolean dirty;

    BufferRing(Arena arena, MemorySegment state, int ringFd, short group, int count, int size) {
        if (Integer.bitCount(count) != 1 || count > 32768) {
            throw new IllegalArgumentException("buffer count must be a power of two <= 32768, was " + count);
        }
        this.group = group;
        this.size = size;
        this.mask = count - 1;
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
            recycle(i);
        }
        publish();
    }

    /** The buffer {@code id} holding {@code length} received bytes, ready to read. */
    ByteBuffer view(int id, int length) {
        ByteBuffer b = views[id];
        b.clear().limit(length);
        return b;
    }

    /** Gives buffer {@code id} back to the kernel (visible from the next {@link #publish}). */
    void recycle(int id) {
        long off = 16L * (tail & mask);
        ring.set(ValueLayout.JAVA_LONG, off, memory.address() + (long) id * size);
        ring.set(ValueLayout.JAVA_INT, off + 8, size);
        ring.set(ValueLayout.JAVA_SHORT, off + 12, (short) id);
        tail++;
        dirty = true;
    }

    void publish() {
        if (dirty) {
            dirty = false;
            SHORT_HANDLE.setRelease(ring, TAIL_OFFSET, (short) tail);
        }
    }
}
