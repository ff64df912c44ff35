package io.flowsock.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * The native memory of one send, scattering receive or connect in flight: a {@code msghdr}, its iovecs, a staging
 * area that heap buffers are copied into, and references that keep direct buffers reachable. It
 * belongs to the operation until the operation's final completion, even after a cancel or close,
 * and only then goes back to the port's pool.
 *
 * <p>Runs only on its port's thread.
 */
final class WriteBlock {
    static final int MAX_IOV = 64;
    static final int STAGING = 256 * 1024;
    private static final int MSGHDR = 56;
    private static final long IOV_OFFSET = 64;
    private static final long STAGING_OFFSET = IOV_OFFSET + 16L * MAX_IOV;

    private final Arena arena;
    final MemorySegment memory;
    final MemorySegment staging;
    private final ByteBuffer[] pinned = new ByteBuffer[MAX_IOV];
    private int iovCount;
    private int pinnedCount;
    private int staged;

    WriteBlock() {
        arena = Arena.ofConfined();
        memory = arena.allocate(STAGING_OFFSET + STAGING, 64);
        staging = memory.asSlice(STAGING_OFFSET, STAGING);
    }

    /**
     * Gathers what {@code srcs[offset, offset + length)} holds into iovecs: direct buffers by
     * address, heap buffers copied into the staging area. Stops where the iovecs or the staging
     * area are full; the send is then short and the core posts the rest. Returns the msghdr.
     */
    MemorySegment gather(ByteBuffer[] srcs, int offset, int length) {
        iovCount = 0;
        staged = 0;
        for (int i = offset; i < offset + length && iovCount < MAX_IOV; i++) {
            ByteBuffer b = srcs[i];
            int n = b.remaining();
            if (n == 0) {
                continue;
            }
            if (b.isDirect()) {
                iov(MemorySegment.ofBuffer(b).address(), n);
                pinned[pinnedCount++] = b;
                continue;
            }
            int room = STAGING - staged;
            if (room == 0) {
                break;
            }
            int k = Math.min(n, room);
            MemorySegment.copy(MemorySegment.ofBuffer(b), 0, staging, staged, k);
            iov(staging.address() + staged, k);
            staged += k;
            if (k < n) {
                break;
            }
        }
        return header();
    }

    /** A msghdr whose iovecs are {@code n} of {@code pool}'s buffers, for a scattering receive. */
    MemorySegment scatter(ScatterBuffers pool, int[] ids, int n) {
        iovCount = 0;
        for (int i = 0; i < n; i++) {
            long at = IOV_OFFSET + 16L * iovCount++;
            memory.set(ValueLayout.JAVA_LONG, at, pool.address(ids[i]));
            memory.set(ValueLayout.JAVA_LONG, at + 8, ScatterBuffers.SIZE);
        }
        return header();
    }

    private MemorySegment header() {
        memory.asSlice(0, MSGHDR).fill((byte) 0);
        memory.set(ValueLayout.JAVA_LONG, 16, memory.address() + IOV_OFFSET);
        memory.set(ValueLayout.JAVA_LONG, 24, iovCount);
        return memory;
    }

    private void iov(long address, int length) {
        if (iovCount > 0) {
            long prev = IOV_OFFSET + 16L * (iovCount - 1);
            long end = memory.get(ValueLayout.JAVA_LONG, prev) + memory.get(ValueLayout.JAVA_LONG, prev + 8);
            if (end == address) {                      // adjacent in staging: one iovec
                memory.set(ValueLayout.JAVA_LONG, prev + 8, memory.get(ValueLayout.JAVA_LONG, prev + 8) + length);
                return;
            }
        }
        long at = IOV_OFFSET + 16L * iovCount++;
        memory.set(ValueLayout.JAVA_LONG, at, address);
        memory.set(ValueLayout.JAVA_LONG, at + 8, length);
    }

    /** Drops the references to direct buffers; the block is free for the next operation. */
    void reset() {
        for (int i = 0; i < pinnedCount; i++) {
            pinned[i] = null;
        }
        pinnedCount = 0;
    }

    void free() {
        arena.close();
    }
}
