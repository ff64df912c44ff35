package io.flowsock.uring;

import io.flowsock.core.Channel;
import io.flowsock.core.Timer;
import io.flowsock.core.internal.BackendPort;
import io.flowsock.core.internal.PortChannels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A completion port on io_uring: one thread, one ring. Each turn of the loop runs the tasks other
 * threads handed over, submits every SQE queued meanwhile in one {@code io_uring_enter} that also
 * waits for at least one completion, and dispatches the completions by their user data. Another
 * thread wakes the port by writing to an eventfd the port keeps a read posted on, and only when
 * the port is about to wait.
 *
 * <p>User data is {@code id << 8 | op}: {@code id} names a registered {@link Completion} (a
 * socket, a listener slot) that is forgotten only after its last operation's final completion,
 * so a stale completion never reaches a new owner. Id 0 is for cancel requests, whose results are
 * not needed.
 *
 * <p>Runs only on its own thread, except {@link #execute}, {@link #schedule} and {@link #inPort}.
 */
final class UringPort implements BackendPort {
    private static final System.Logger LOG = System.getLogger(UringPort.class.getName());
    static final int RING_ENTRIES = 1024;
    static final short LARGE_GROUP = 1;
    static final short SMALL_GROUP = 2;
    static final int LARGE = 64 * 1024;
    static final int SMALL = 1024;
    private static final int LARGE_COUNT = 256;
    private static final int SMALL_COUNT = 1024;
    private static final int RETAINED_BLOCKS = 32;
    private static final int WAKE = 1;
    private static final VarHandle SLEEPING;
    /** The 8-byte 1 an eventfd write adds, and where other threads' wake-ups put an errno nobody reads. */
    private static final MemorySegment ONE = Arena.global().allocate(8, 8);
    private static final MemorySegment WAKE_STATE = Native.errnoState(Arena.global());

    static {
        ONE.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(UringPort.class, "sleeping", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int index;
    private final Timer timer;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile int sleeping;          // 1 while the port is about to wait; other threads swap it to 0 and wake it
    private volatile boolean stopping;      // set by the transport's close, read by the loop
    private volatile boolean gone;          // the loop has ended: execute() refuses

    // Port thread only, from here on.
    private Arena arena;
    MemorySegment state;                    // errno capture for this thread's calls
    MemorySegment scratch;                  // 64 bytes for socket options and addresses
    Ring ring;
    BufferRing large;
    BufferRing small;
    ScatterBuffers scatter;
    private int eventFd = -1;
    private int wakeId;
    private boolean draining;
    private MemorySegment eventBuf;
    private Completion[] handlers = new Completion[64];
    private int[] freeIds = new int[64];
    private int freeCount;
    private int nextId = 1;
    private int inflight;                   // operations submitted whose final completion has not come
    private final Ring.CqeSink sink = this::dispatch;   // one object, not one per loop turn
    private final ArrayDeque<WriteBlock> smallBlocks = new ArrayDeque<>();
    private final ArrayDeque<WriteBlock> largeBlocks = new ArrayDeque<>();
    private final ArrayDeque<UringSocket> starved = new ArrayDeque<>();
    final PortChannels channels = new PortChannels();

    UringPort(int index, ThreadFactory threads, Timer timer) {
        this.index = index;
        this.timer = timer;
        this.thread = threads.newThread(this::run);
        thread.start();
    }

    /** Waits until the port's ring is set up; throws the reason if it could not be. */
    @Override
    public void awaitStarted() {
        try {
            started.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw new UnsupportedOperationException("io_uring port " + index + " could not start: " + c.getMessage(), c);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new UnsupportedOperationException("io_uring port " + index + " did not start within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnsupportedOperationException("interrupted while io_uring port " + index + " started");
        }
    }

    private void run() {
        try {
            open();
        } catch (Throwable t) {
            closeNative();
            gone = true;
            started.completeExceptionally(t);
            terminated.complete(null);
            return;
        }
        started.complete(null);
        try {
            loop();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "flowsock: io_uring port " + index + " failed; its connections are lost", t);
        } finally {
            gone = true;
            drainAndClose();
            terminated.complete(null);
        }
    }

    private void open() {
        arena = Arena.ofShared();
        state = Native.errnoState(arena);
        scratch = arena.allocate(64, 8);
        eventBuf = arena.allocate(8, 8);
        ring = new Ring(RING_ENTRIES, state);
        large = new BufferRing(arena, state, ring.fd, LARGE_GROUP, LARGE_COUNT, LARGE);
        small = new BufferRing(arena, state, ring.fd, SMALL_GROUP, SMALL_COUNT, SMALL);
        scatter = new ScatterBuffers(arena);
        eventFd = Native.eventfd(state);
        wakeId = register((op, res, flags) -> {
            if (!draining) {
                postWakeRead();
            }
        });
        postWakeRead();
    }

    private void loop() {
        while (true) {
            runTasks();
            if (stopping) {
                return;
            }
            large.publish();
            small.publish();
            boolean wait = tasks.isEmpty();
            if (wait) {
                sleeping = 1;
                if (!tasks.isEmpty()) {
                    sleeping = 0;
                    wait = false;
                }
            }
            ring.enter(wait ? 1 : 0);
            sleeping = 0;
            ring.reap(sink);
        }
    }

    private void runTasks() {
        for (int i = 0; i < 4096; i++) {     // bounded, so a flood of tasks cannot starve the ring
            Runnable r = tasks.poll();
            if (r == null) {
                return;
            }
            try {
                r.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "flowsock: a task failed on io_uring port " + index, t);
            }
        }
    }

    private void dispatch(long userData, int res, int flags) {
        int id = (int) (userData >>> 8);
        if (id == 0) {
            return;                                       // a cancel request's own result
        }
        if ((flags & Ring.CQE_F_MORE) == 0) {
            inflight--;
        }
        Completion c = id < handlers.length ? handlers[id] : null;
        if (c != null) {
            try {
                c.complete((int) userData & 0xff, res, flags);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "flowsock: a completion handler failed on io_uring port " + index, t);
            }
        }
    }

    // ------------------------------------------------------------------ operations

    /** Registers {@code c} for completions; returns its id. */
    int register(Completion c) {
        int id = freeCount > 0 ? freeIds[--freeCount] : nextId++;
        if (id >= handlers.length) {
            handlers = Arrays.copyOf(handlers, handlers.length * 2);
        }
        handlers[id] = c;
        return id;
    }

    /** Forgets {@code id}: only after its owner's last final completion. */
    void unregister(int id) {
        handlers[id] = null;
        if (freeCount == freeIds.length) {
            freeIds = Arrays.copyOf(freeIds, freeIds.length * 2);
        }
        freeIds[freeCount++] = id;
    }

    /** A zeroed SQE for an operation of {@code id}, counted in flight until its final completion. */
    long sqe(byte opcode, int fd, long addr, int len, long off, int id, int op) {
        long at = ring.next();
        ring.prep(at, opcode, fd, addr, len, off, ((long) id << 8) | op);
        inflight++;
        return at;
    }

    /** Asks the kernel to cancel every operation on {@code fd}; their completions come as usual. */
    void cancelAll(int fd) {
        long at = ring.next();
        ring.prep(at, Ring.OP_ASYNC_CANCEL, fd, 0, 0, 0, 0L);
        ring.opFlags(at, Ring.CANCEL_FD | Ring.CANCEL_ALL);
    }

    /** Asks the kernel to cancel every operation with {@code userData}. */
    void cancel(long userData) {
        long at = ring.next();
        ring.prep(at, Ring.OP_ASYNC_CANCEL, -1, userData, 0, 0, 0L);
        ring.opFlags(at, Ring.CANCEL_ALL);
    }

    /** A block for one operation: large when it stages more heap bytes than a small one holds. */
    WriteBlock takeBlock(boolean large) {
        WriteBlock b = large ? largeBlocks.poll() : smallBlocks.poll();
        if (b != null) {
            return b;
        }
        return large ? WriteBlock.large() : WriteBlock.small(arena);
    }

    /** Back to the pool after the operation's final completion. */
    void releaseBlock(WriteBlock b) {
        b.reset();
        if (!b.isLarge()) {
            smallBlocks.push(b);               // port memory: kept until the port closes
        } else if (largeBlocks.size() < RETAINED_BLOCKS && !gone) {
            largeBlocks.push(b);
        } else {
            b.free();
        }
    }

    BufferRing buffers(boolean isSmall) {
        return isSmall ? small : large;
    }

    /** A receive found the buffer ring empty: retried when buffers come back. */
    void starved(UringSocket s) {
        starved.add(s);
    }

    /** Buffers went back to the ring: receives that found it empty try again. */
    void buffersReturned() {
        for (int n = starved.size(); n > 0; n--) {
            starved.poll().retryReceive();
        }
    }

    private void postWakeRead() {
        sqe(Ring.OP_READ, eventFd, eventBuf.address(), 8, 0, wakeId, WAKE);
    }

    // ------------------------------------------------------------------ CompletionPort

    @Override
    public void execute(Runnable task) {
        if (gone) {
            throw new RejectedExecutionException("io_uring port " + index + " is closed");
        }
        tasks.add(task);
        if (sleeping == 1 && SLEEPING.compareAndSet(this, 1, 0)) {
            wake();
        }
    }

    private void wake() {
        Native.eventfdWrite(WAKE_STATE, eventFd, ONE);
    }

    @Override
    public boolean inPort() {
        return Thread.currentThread() == thread;
    }

    @Override
    public Timer timer() {
        return timer;
    }

    @Override
    public PortChannels channels() {
        return channels;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            terminated.get(timeout, unit);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ channels and shutdown

    /** Registers a new channel until it closes. Port thread. */
    Channel adopt(Channel channel) {
        return channels.adopt(channel);
    }

    /** Asks the loop to end once its channels are closed; the ring is torn down after its operations drain. */
    @Override
    public void stop() {
        stopping = true;
        if (!gone) {
            try {
                execute(() -> { });
            } catch (RejectedExecutionException alreadyGone) {
                // nothing left to wake
            }
        }
    }

    /**
     * Cancels what is still posted and reaps until every operation has had its final completion
     * (for at most 5 s), so no memory is freed while the kernel may still write to it; then
     * closes the ring and frees the port's memory. Memory of operations that never completed is
     * left allocated rather than freed under the kernel.
     */
    private void drainAndClose() {
        try {
            channels.disposeAll();
            runTasks();
            draining = true;
            for (Completion c : handlers) {
                if (c != null) {
                    c.abandon();
                }
            }
            cancelAll(eventFd);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (inflight > 0 && System.nanoTime() < deadline) {
                runTasks();
                large.publish();
                small.publish();
                ring.enter(0);
                if (ring.reap(sink) == 0) {
                    Thread.onSpinWait();
                }
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: io_uring port " + index + " did not drain cleanly", t);
        }
        if (inflight > 0) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: io_uring port " + index + " closed with " + inflight
                    + " operations still in the kernel; their memory is left allocated");
            Native.close(state, ring.fd);
            return;
        }
        closeNative();
    }

    private void closeNative() {
        for (WriteBlock b : largeBlocks) {
            b.free();
        }
        largeBlocks.clear();
        smallBlocks.clear();
        if (ring != null) {
            ring.close();
        }
        if (eventFd >= 0) {
            Native.close(state, eventFd);
        }
        if (arena != null) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "UringPort[" + index + "]";
    }

    /** An owner of operations: a socket, a listener slot. */
    interface Completion {
        /** The completion of operation {@code op}: the result and the CQE flags. */
        void complete(int op, int res, int flags);

        /** The port is closing: cancel what is posted and close the descriptor once it is answered. */
        default void abandon() {
        }
    }
}
