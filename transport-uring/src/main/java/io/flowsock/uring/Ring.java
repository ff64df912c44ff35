package io.flowsock.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance: the submission and completion rings mapped from the kernel and the SQE
 * array. SQEs are filled in place and handed over in batches by {@link #enter}. Memory ordering
 * follows the kernel's rules: the SQ tail is stored with release after the SQEs are written, the
 * SQ head and CQ tail are loaded with acquire, the CQ head is stored with release once the CQEs
 * have been read. Its descriptor is registered with the thread (IORING_REGISTER_RING_FDS), so an
 * enter names the ring by index instead of a descriptor the kernel must look up.
 *
 * <p>Runs only on its port's thread (the ring is set up there, as SINGLE_ISSUER and
 * DEFER_TASKRUN require).
 */
final class Ring {
    // io_uring_setup flags
    static final int SETUP_CQSIZE = 1 << 3;
    static final int SETUP_SUBMIT_ALL = 1 << 7;
    static final int SETUP_COOP_TASKRUN = 1 << 8;
    static final int SETUP_SINGLE_ISSUER = 1 << 12;
    static final int SETUP_DEFER_TASKRUN = 1 << 13;
    static final int FEAT_SINGLE_MMAP = 1;
    static final int FEAT_NODROP = 1 << 1;
    static final int FEAT_FAST_POLL = 1 << 5;
    static final int ENTER_GETEVENTS = 1;
    static final int ENTER_REGISTERED_RING = 1 << 4;
    private static final int REGISTER_RING_FDS = 20;
    private static final int UNREGISTER_RING_FDS = 21;

    // opcodes
    static final byte OP_NOP = 0;
    static final byte OP_SENDMSG = 9;
    static final byte OP_RECVMSG = 10;
    static final byte OP_ACCEPT = 13;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_CONNECT = 16;
    static final byte OP_READ = 22;
    static final byte OP_RECV = 27;
    static final byte OP_SHUTDOWN = 34;
    // SQE flags
    static final byte SQE_IO_LINK = 1 << 2;
    static final byte SQE_BUFFER_SELECT = 1 << 5;
    // ioprio flags
    static final short ACCEPT_MULTISHOT = 1;
    static final short RECV_MULTISHOT = 1 << 1;
    // cancel flags
    static final int CANCEL_ALL = 1;
    static final int CANCEL_FD = 1 << 1;
    // CQE flags
    static final int CQE_F_BUFFER = 1;
    static final int CQE_F_MORE = 1 << 1;
    static final int CQE_F_SOCK_NONEMPTY = 1 << 2;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final VarHandle INT_HANDLE = INT.varHandle();
    private static final int PARAMS_SIZE = 120;
    private static final long OFF_SQ_RING = 0L;
    private static final long OFF_CQ_RING = 0x8000000L;
    private static final long OFF_SQES = 0x10000000L;

    final int fd;
    final int features;
    /** What {@link #enter} passes: the registered index with {@link #enterFlags} saying so, else {@link #fd}. */
    private final int enterFd;
    private final int enterFlags;
    final int setupFlags;
    private final MemorySegment state;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;    // the same mapping as sqRing with FEAT_SINGLE_MMAP
    private final MemorySegment sqes;
    private final long sqHeadOff;
    private final long sqTailOff;
    private final long cqHeadOff;
    private final long cqTailOff;
    private final long cqesOff;
    private final int sqMask;
    private final int sqEntries;
    private final int cqMask;
    private int sqTail;                    // our copy: SQEs filled so far
    private int sqSubmitted;               // the tail the kernel has been told about
    private int cqHead;

    /**
     * Sets up a ring of {@code entries} SQEs and {@code 4 * entries} CQEs with SINGLE_ISSUER and
     * DEFER_TASKRUN, falling back to fewer flags on kernels that refuse them.
     */
    Ring(int entries, MemorySegment state) {
        this.state = state;
        int[] attempts = {
                SETUP_CQSIZE | SETUP_SUBMIT_ALL | SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN,
                SETUP_CQSIZE | SETUP_SUBMIT_ALL | SETUP_COOP_TASKRUN,
                SETUP_CQSIZE,
                0};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(PARAMS_SIZE, 8);
            int ringFd = -1;
            int used = 0;
            Errno.Failure last = null;
            for (int flags : attempts) {
                p.fill((byte) 0);
                p.set(INT, 8, flags);
                p.set(INT, 4, entries * 4);
                try {
                    ringFd = Native.ioUringSetup(state, entries, p);
                    used = flags;
                    break;
                } catch (Errno.Failure e) {
                    if (e.errno != Errno.EINVAL) {
                        throw e;
                    }
                    last = e;
                }
            }
            if (ringFd < 0) {
                throw last;
            }
            fd = ringFd;
            setupFlags = used;
            features = p.get(INT, 20);
            sqEntries = p.get(INT, 0);
            int cqEntries = p.get(INT, 4);
            sqHeadOff = p.get(INT, 40);
            sqTailOff = p.get(INT, 44);
            long sqMaskOff = p.get(INT, 48);
            long sqArrayOff = Integer.toUnsignedLong(p.get(INT, 64));
            cqHeadOff = p.get(INT, 80);
            cqTailOff = p.get(INT, 84);
            long cqMaskOff = p.get(INT, 88);
            cqesOff = p.get(INT, 100);
            long sqSize = sqArrayOff + 4L * sqEntries;
            long cqSize = cqesOff + 16L * cqEntries;
            try {
                if ((features & FEAT_SINGLE_MMAP) != 0) {
                    sqRing = Native.mmap(state, Math.max(sqSize, cqSize), fd, OFF_SQ_RING);
                    cqRing = sqRing;
                } else {
                    sqRing = Native.mmap(state, sqSize, fd, OFF_SQ_RING);
                    cqRing = Native.mmap(state, cqSize, fd, OFF_CQ_RING);
                }
                sqes = Native.mmap(state, 64L * sqEntries, fd, OFF_SQES);
            } catch (RuntimeException e) {
                Native.close(state, fd);
                throw e;
            }
            sqMask = sqRing.get(INT, sqMaskOff);        // the params hold offsets; the masks are in the rings
            cqMask = cqRing.get(INT, cqMaskOff);
            for (int i = 0; i < sqEntries; i++) {
                sqRing.set(INT, sqArrayOff + 4L * i, i);      // the SQ array maps slot i to SQE i, for good
            }
            sqTail = (int) INT_HANDLE.getAcquire(sqRing, sqTailOff);
            sqSubmitted = sqTail;
            cqHead = (int) INT_HANDLE.getAcquire(cqRing, cqHeadOff);
            int registered = registerRingFd(arena, state, fd);
            enterFd = registered >= 0 ? registered : fd;
            enterFlags = ENTER_GETEVENTS | (registered >= 0 ? ENTER_REGISTERED_RING : 0);
        }
    }

    /**
     * Registers the ring's descriptor with this thread (IORING_REGISTER_RING_FDS, 5.18+), so each
     * enter names it by index and the kernel skips the descriptor table lookup and reference;
     * returns the index, or -1 where the kernel refuses (then enters pass the descriptor).
     */
    private static int registerRingFd(Arena arena, MemorySegment state, int ringFd) {
        MemorySegment update = arena.allocate(16, 8);   // struct io_uring_rsrc_update
        update.set(INT, 0, -1);                         // offset: any free slot, written back
        update.set(LONG, 8, ringFd);
        try {
            Native.ioUringRegister(state, ringFd, REGISTER_RING_FDS, update, 1);
            return update.get(INT, 0);
        } catch (Errno.Failure e) {
            return -1;
        }
    }

    /** Whether enters name the ring by its registered index. */
    boolean registeredRing() {
        return (enterFlags & ENTER_REGISTERED_RING) != 0;
    }

    boolean deferTaskrun() {
        return (setupFlags & SETUP_DEFER_TASKRUN) != 0;
    }

    /**
     * The offset in {@link #sqes()} of a zeroed SQE to fill, handing the queue to the kernel first
     * when it is full.
     */
    long next() {
        int head = (int) INT_HANDLE.getAcquire(sqRing, sqHeadOff);
        if (sqTail - head == sqEntries) {
            enter(0);
            head = (int) INT_HANDLE.getAcquire(sqRing, sqHeadOff);
            if (sqTail - head == sqEntries) {
                throw new IllegalStateException("io_uring submission queue stays full");
            }
        }
        long off = 64L * (sqTail & sqMask);
        for (long i = 0; i < 64; i += 8) {
            sqes.set(LONG, off + i, 0L);
        }
        sqTail++;
        return off;
    }

    MemorySegment sqes() {
        return sqes;
    }

    /** Fills the common fields of the SQE at {@code off}. */
    void prep(long off, byte opcode, int fd, long addr, int len, long offOrAddr2, long userData) {
        sqes.set(ValueLayout.JAVA_BYTE, off, opcode);
        sqes.set(INT, off + 4, fd);
        sqes.set(LONG, off + 8, offOrAddr2);
        sqes.set(LONG, off + 16, addr);
        sqes.set(INT, off + 24, len);
        sqes.set(LONG, off + 32, userData);
    }

    void flags(long off, byte flags) {
        sqes.set(ValueLayout.JAVA_BYTE, off + 1, flags);
    }

    void ioprio(long off, short ioprio) {
        sqes.set(ValueLayout.JAVA_SHORT, off + 2, ioprio);
    }

    void opFlags(long off, int opFlags) {
        sqes.set(INT, off + 28, opFlags);
    }

    void bufGroup(long off, short group) {
        sqes.set(ValueLayout.JAVA_SHORT, off + 40, group);
    }

    /** Whether SQEs wait to be handed to the kernel. */
    boolean hasPending() {
        return sqTail != sqSubmitted;
    }

    /**
     * Hands every filled SQE to the kernel and, with {@code minComplete} > 0, waits until that many
     * completions are posted. The only place a port thread blocks.
     */
    void enter(int minComplete) {
        INT_HANDLE.setRelease(sqRing, sqTailOff, sqTail);
        int r;
        do {
            r = Native.ioUringEnter(state, enterFd, sqTail - sqSubmitted, minComplete, enterFlags);
        } while (r == -Errno.EINTR);
        if (r > 0) {
            sqSubmitted += r;     // what the kernel did not take (EAGAIN, EBUSY) goes with the next turn
        }
    }

    /** Calls {@code sink} for every completion posted so far, then releases them to the kernel. */
    int reap(CqeSink sink) {
        int tail = (int) INT_HANDLE.getAcquire(cqRing, cqTailOff);
        int n = 0;
        while (cqHead != tail) {
            long off = cqesOff + 16L * (cqHead & cqMask);
            long userData = cqRing.get(LONG, off);
            int res = cqRing.get(INT, off + 8);
            int flags = cqRing.get(INT, off + 12);
            cqHead++;
            n++;
            sink.completed(userData, res, flags);
            if (cqHead == tail) {
                INT_HANDLE.setRelease(cqRing, cqHeadOff, cqHead);
                tail = (int) INT_HANDLE.getAcquire(cqRing, cqTailOff);
            }
        }
        INT_HANDLE.setRelease(cqRing, cqHeadOff, cqHead);
        return n;
    }

    void close() {
        unregisterRingFd();
        try {
            Native.munmap(state, sqes);
            Native.munmap(state, sqRing);
            if (cqRing != sqRing) {
                Native.munmap(state, cqRing);
            }
        } finally {
            Native.close(state, fd);
        }
    }

    /**
     * Drops the registered index: it holds its own reference to the ring, which would otherwise
     * keep the ring and its buffers alive until this thread ends. Before the descriptor closes.
     */
    void unregisterRingFd() {
        if (!registeredRing()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment update = arena.allocate(16, 8);
            update.set(INT, 0, enterFd);
            Native.ioUringRegister(state, fd, UNREGISTER_RING_FDS, update, 1);
        } catch (Errno.Failure e) {
            // the index goes with the thread anyway
        }
    }

    /** Receives one completion: the SQE's user data, the result and the CQE flags. */
    interface CqeSink {
        void completed(long userData, int res, int flags);
    }
}
