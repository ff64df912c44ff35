package io.flowsock.uring;

import io.flowsock.core.Channel;
import io.flowsock.core.Timer;
import io.flowsock.core.internal.BackendPort;
import io.flowsock.core.internal.PortChannels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
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
 * <p>Owners of operations (sockets, listener slots) register for a {@link Registration}, and
 * submit through the port's intent methods ({@link #submitRecv}, {@link #submitSendmsg},
 * {@link #submitConnect}, {@link #submitAccept}, {@link #submitCancel}): the port fills the SQE,
 * encodes the {@link UserData} and counts the operation on the registration until its final
 * completion. Nothing outside the port touches the ring.
 *
 * <p>A task handed over with {@link #execute} is run, or refused with
 * {@link RejectedExecutionException}: once the loop has ended, {@code execute} throws, and a task
 * accepted while the port was stopping is run by the final drain, never dropped.
 *
 * <p>Runs only on its own thread, except {@link #execute}, {@link #schedule} and {@link #inPort}.
 */
final class UringPort implements BackendPort {
    private static final System.Logger LOG = System.getLogger(UringPort.class.getName());
    static final int RING_ENTRIES = 1024;
    static final short LARGE_GROUP = 1;
    static final short SMALL_GROUP = 2;
    static final short DATAGRAM_GROUP = 3;
    static final int LARGE = 64 * 1024;
    static final int SMALL = 1024;
    private static final int LARGE_COUNT = 256;
    private static final int SMALL_COUNT = 1024;
    private static final int WAKE = 1;

    private final int index;
    private final Timer timer;
    private final Thread thread;
    private final TaskInbox tasks;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean stopping;      // set by the transport's close, read by the loop

    // Port thread only, from here on.
    private Arena arena;
    private MemorySegment state;            // errno capture for this thread's calls
    private MemorySegment scratch;          // 64 bytes for socket options and addresses
    private Ring ring;
    private BufferRing large;
    private BufferRing small;
    private BufferRing datagrams;           // made by the first datagram socket: TCP-only ports spend nothing on it
    private ScatterBuffers scatter;
    private int eventFd = -1;
    private Registration wake;
    private boolean draining;
    private MemorySegment eventBuf;
    private final Registrations registrations = new Registrations();
    private WriteBlocks blocks;
    private final Ring.CqeSink sink = this::dispatch;   // one object, not one per loop turn
    private final PortChannels channels = new PortChannels();

    UringPort(int index, ThreadFactory threads, Timer timer) {
        this.index = index;
        this.timer = timer;
        this.tasks = new TaskInbox("io_uring port " + index);
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
            tasks.close();
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
        blocks = new WriteBlocks(arena);
        eventFd = Native.eventfd(state);
        tasks.wakeBy(eventFd);
        wake = register((op, res, flags) -> {
            if (!draining) {
                postWakeRead();
            }
        });
        postWakeRead();
    }

    private void loop() {
        while (true) {
            tasks.run();
            if (stopping) {
                return;
            }
            prepareBuffers();
            ring.enter(tasks.sleep() ? 1 : 0);
            tasks.awake();
            ring.reap(sink);
        }
    }

    /** Starved receives retried, buffers given back published: what the next submission needs. */
    private void prepareBuffers() {
        large.serviceStarved();
        small.serviceStarved();
        large.publish();
        small.publish();
        if (datagrams != null) {
            datagrams.serviceStarved();
            datagrams.publish();
        }
    }

    private void dispatch(long userData, int res, int flags) {
        int id = UserData.id(userData);
        if (id == 0) {
            return;                                       // a cancel request's own result
        }
        Registration r = registrations.get(id);
        if (r != null) {
            r.completed(flags);
            try {
                r.owner.complete(UserData.op(userData), res, flags);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "flowsock: a completion handler failed on io_uring port " + index, t);
            }
        }
    }

    // ------------------------------------------------------------------ operations

    /** Registers {@code c} for completions until {@link #unregister}. */
    Registration register(Completion c) {
        return registrations.add(c);
    }

    /** Forgets {@code r}: only once none of its operations is still to complete. */
    void unregister(Registration r) {
        registrations.remove(r);
    }

    /** A receive into a buffer {@code from} picks; multishot stays armed until its final completion. */
    void submitRecv(Registration r, int op, int fd, BufferRing from, boolean multishot) {
        long at = sqe(Ring.OP_RECV, fd, 0, 0, 0, r, op);
        ring.flags(at, Ring.SQE_BUFFER_SELECT);
        ring.bufGroup(at, from.group);
        if (multishot) {
            ring.ioprio(at, Ring.RECV_MULTISHOT);
        }
    }

    /** A {@code recvmsg} scattering into the iovecs of {@code msg}. */
    void submitRecvmsg(Registration r, int op, int fd, MemorySegment msg) {
        sqe(Ring.OP_RECVMSG, fd, msg.address(), 1, 0, r, op);
    }

    /** A multishot {@code recvmsg} into buffers {@code from} picks, each laid out as io_uring_recvmsg_out says. */
    void submitRecvmsgMultishot(Registration r, int op, int fd, MemorySegment msg, BufferRing from) {
        long at = sqe(Ring.OP_RECVMSG, fd, msg.address(), 1, 0, r, op);
        ring.flags(at, Ring.SQE_BUFFER_SELECT);
        ring.bufGroup(at, from.group);
        ring.ioprio(at, Ring.RECV_MULTISHOT);
    }

    /** A {@code sendmsg} without SIGPIPE; {@code linked}: the next SQE starts after it, and is cancelled if it fails. */
    void submitSendmsg(Registration r, int op, int fd, MemorySegment msg, boolean linked) {
        long at = sqe(Ring.OP_SENDMSG, fd, msg.address(), 1, 0, r, op);
        ring.opFlags(at, Native.MSG_NOSIGNAL);
        if (linked) {
            ring.flags(at, Ring.SQE_IO_LINK);
        }
    }

    /** A connect to the {@code len}-byte socket address at {@code addr}. */
    void submitConnect(Registration r, int op, int fd, MemorySegment addr, int len) {
        sqe(Ring.OP_CONNECT, fd, addr.address(), 0, len, r, op);
    }

    /** An accept of close-on-exec sockets; multishot stays armed until its final completion. */
    void submitAccept(Registration r, int op, int fd, boolean multishot) {
        long at = sqe(Ring.OP_ACCEPT, fd, 0, 0, 0, r, op);
        if (multishot) {
            ring.ioprio(at, Ring.ACCEPT_MULTISHOT);
        }
        ring.opFlags(at, Native.SOCK_CLOEXEC);
    }

    /** Asks the kernel to cancel every operation {@code op} of {@code r}; their completions come as usual. */
    void submitCancel(Registration r, int op) {
        long at = ring.next();
        ring.prep(at, Ring.OP_ASYNC_CANCEL, -1, r.userData(op), 0, 0, UserData.CANCEL);
        ring.opFlags(at, Ring.CANCEL_ALL);
    }

    /** Asks the kernel to cancel every operation on {@code fd}; their completions come as usual. */
    void submitCancelAll(int fd) {
        long at = ring.next();
        ring.prep(at, Ring.OP_ASYNC_CANCEL, fd, 0, 0, 0, UserData.CANCEL);
        ring.opFlags(at, Ring.CANCEL_FD | Ring.CANCEL_ALL);
    }

    private long sqe(byte opcode, int fd, long addr, int len, long off, Registration r, int op) {
        long at = ring.next();
        ring.prep(at, opcode, fd, addr, len, off, r.userData(op));
        r.submitted();
        return at;
    }

    /** A block for one operation: large when it stages more heap bytes than a small one holds. */
    WriteBlock takeBlock(boolean large) {
        return blocks.take(large);
    }

    /** Back to the pool after the operation's final completion. */
    void releaseBlock(WriteBlock b) {
        blocks.release(b);
    }

    /** The provided-buffer ring of small buffers, or of large ones. */
    BufferRing buffers(boolean isSmall) {
        return isSmall ? small : large;
    }

    /** The provided-buffer ring of datagram sockets, set up on first use. */
    BufferRing datagramBuffers() {
        if (datagrams == null) {
            datagrams = new BufferRing(arena, state, ring.fd, DATAGRAM_GROUP, DatagramReceiver.BUFFERS,
                    DatagramReceiver.BUFFER_SIZE);
        }
        return datagrams;
    }

    ScatterBuffers scatterBuffers() {
        return scatter;
    }

    /** Errno capture for system calls made on this port's thread. */
    MemorySegment errno() {
        return state;
    }

    /** 64 bytes for one system call's socket option or address at a time, on this port's thread. */
    MemorySegment scratch() {
        return scratch;
    }

    private void postWakeRead() {
        sqe(Ring.OP_READ, eventFd, eventBuf.address(), 8, 0, wake, WAKE);
    }

    // ------------------------------------------------------------------ CompletionPort

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs {@code turn} in the loop's next turn, after the ring was entered and reaped again. Port thread. */
    void nextTurn(Runnable turn) {
        tasks.later(turn);
    }

    @Override
    public boolean inPort() {
        return Thread.currentThread() == thread;
    }

    @Override
    public Timer timer() {
        return timer;
    }

    // ------------------------------------------------------------------ channels and shutdown

    /** The open channels of this port. Port thread. */
    @Override
    public PortChannels channels() {
        return channels;
    }

    /** Completes once the loop has ended and the ring is torn down. */
    CompletableFuture<Void> terminated() {
        return terminated;
    }

    /** Waits up to {@code timeout} for the ring to be torn down and the port's thread to end. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        try {
            terminated.get(timeout, unit);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
        long left = deadline - System.nanoTime();
        return left > 0 && thread.join(java.time.Duration.ofNanos(left));
    }

    /** Registers a new channel until it closes. Port thread. */
    Channel adopt(Channel channel) {
        return channels.adopt(channel);
    }

    /** Asks the loop to end once its channels are closed; the ring is torn down after its operations drain. */
    @Override
    public void stop() {
        stopping = true;
        if (!tasks.isClosed()) {
            try {
                execute(() -> { });
            } catch (RejectedExecutionException alreadyGone) {
                // nothing left to wake
            }
        }
    }

    /**
     * Cancels what is still posted and reaps until every operation has had its final completion
     * (for at most 5 s), so no memory is freed while the kernel may still write to it; then stops
     * taking tasks, runs the last ones, and closes the ring and frees the port's memory. Memory of
     * operations that never completed is left allocated rather than freed under the kernel.
     */
    private void drainAndClose() {
        try {
            channels.disposeAll();
            tasks.run();
            draining = true;
            blocks.closing();
            registrations.forEach(r -> r.owner.abandon());
            submitCancelAll(eventFd);
            reapUntilIdle();
            tasks.close();
            while (tasks.run() > 0) {
                // tasks accepted before the inbox closed; any they queue now is refused
            }
            reapUntilIdle();
        } catch (Throwable t) {
            tasks.close();
            LOG.log(System.Logger.Level.WARNING, "flowsock: io_uring port " + index + " did not drain cleanly", t);
        }
        int left = registrations.pending();
        if (left > 0) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: io_uring port " + index + " closed with " + left
                    + " operations still in the kernel; their memory is left allocated");
            registrations.forEach(r -> r.owner.lost());
            ring.unregisterRingFd();
            Native.close(state, ring.fd);
            return;
        }
        closeNative();
    }

    private void reapUntilIdle() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (registrations.pending() > 0 && System.nanoTime() < deadline) {
            tasks.run();
            prepareBuffers();
            ring.enter(0);
            if (ring.reap(sink) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    private void closeNative() {
        if (blocks != null) {
            blocks.free();
        }
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
}
