package io.flowsock.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * The native memory of one send, scattering receive or connect in flight: a {@code msghdr}, its
 * iovecs, a staging area that heap buffers are copied into, and references that keep direct
 * buffers reachable. It belongs to the operation until the operation's final completion, even
 * after a cancel or close, and only then goes back to the port's pool.
 *
 * <p>Two sizes: small blocks (16 KiB of staging) are cut from the port's memory and reused for
 * good, so a greeting or a reply costs no allocation; large blocks (256 KiB) serve bulk sends, have
 * their own memory and are freed beyond what the port retains.
 *
 * <p>Runs only on its port's thread.
 */
final class WriteBlock {
    static final int MAX_IOV = 64;
    static final int SMALL_STAGING = 16 * 1024;
    static final int LARGE_STAGING = 256 * 1024;
    private static final int MSGHDR = 56;
    private static final long IOV_OFFSET = 64;
    private static final long STAGING_OFFSET = IOV_OFFSET + 16L * MAX_IOV;

    private final Arena own;               // a large block's own memory; null for a small one
    final MemorySegment memory;
    final MemorySegment staging;
    private final int stagingSize;
    private final ByteBuffer[] pinned = new ByteBuffer[MAX_IOV];
    private int iovCount;
    private int pinnedCount;
    private int staged;

    private WriteBlock(Arena own, MemorySegment memory, int stagingSize) {
        this.own = own;
        this.memory = memory;
        this.stagingSize = stagingSize;
        this.staging = memory.asSlice(STAGING_OFFSET, stagingSize);
    }

    /** A small block cut from {@code portMemory}, which frees it with the port. */
    static WriteBlock small(Arena portMemory) {
        return new WriteBlock(null, portMemory.allocate(STAGING_OFFSET + SMALL_STAGING, 64), SMALL_STAGING);
    }

    static WriteBlock large() {
        Arena own = Arena.ofConfined();
        return new WriteBlock(own, own.allocate(STAGING_OFFSET + LARGE_STAGING, 64), LARGE_STAGING);
    }

    boolean isLarge() {
        return own != null;
    }

    /** The heap bytes {@code srcs[offset, offset + length)} would stage, counting no further than {@code limit}. */
    static long heapBytes(ByteBuffer[] srcs, int offset, int length, long limit) {
        long n = 0;
        for (int i = offset; i < offset + Math.min(length, MAX_IOV) && n <= limit; i++) {
            if (!srcs[i].isDirect()) {
                n += srcs[i].remaining();
            }
        }
        return n;
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
            int room = stagingSize - staged;
            if (room == 0) {
                break;
            }
            int k = Math.min(n, room);
            if (b.hasArray()) {                        // no segment object per buffer on the hot path
                MemorySegment.copy(b.array(), b.arrayOffset() + b.position(), staging, ValueLayout.JAVA_BYTE, staged, k);
            } else {                                   // read-only heap buffer
                MemorySegment.copy(MemorySegment.ofBuffer(b), 0, staging, staged, k);
            }
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
        for (long at = 0; at < MSGHDR; at += 8) {
            memory.set(ValueLayout.JAVA_LONG, at, 0L);
        }
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
        if (own != null) {
            own.close();
        }
    }
}
