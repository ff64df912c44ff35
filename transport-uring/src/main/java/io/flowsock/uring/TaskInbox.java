package io.flowsock.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * The tasks other threads hand to a port, and the port's wake-up. A thread that adds a task wakes
 * the port by writing to its eventfd, and only when the port has said it is about to wait.
 *
 * <p>A task is run or refused, never dropped: {@link #add} refuses once the port has
 * {@link #close closed} the inbox, and a task added just as it closes is either taken by the
 * port's last {@link #run} or taken back and refused.
 *
 * <p>{@link #add} from any thread; the rest only on the port's thread.
 */
final class TaskInbox {
    private static final System.Logger LOG = System.getLogger(TaskInbox.class.getName());
    private static final int BATCH = 4096;
    private static final VarHandle SLEEPING;
    /** The 8-byte 1 an eventfd write adds, and where other threads' wake-ups put an errno nobody reads. */
    private static final MemorySegment ONE = Arena.global().allocate(8, 8);
    private static final MemorySegment WAKE_STATE = Native.errnoState(Arena.global());

    static {
        ONE.set(ValueLayout.JAVA_LONG, 0, 1L);
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(TaskInbox.class, "sleeping", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Runnable> nextTurn = new ArrayDeque<>();   // port thread only: see later()
    private volatile int sleeping;          // 1 while the port is about to wait; other threads swap it to 0 and wake it
    // Set by the port once its last run begins; add() reads it after queueing, and takes back and
    // refuses a task the last run did not take (a task queued while closed was false is seen by
    // the port's polls after it set closed: none is dropped).
    private volatile boolean closed;
    private volatile int eventFd = -1;      // set once by the port before any add can need a wake-up

    TaskInbox(String name) {
        this.name = name;
    }

    void wakeBy(int fd) {
        eventFd = fd;
    }

    /** Queues {@code task} for the port; throws {@link RejectedExecutionException} once the port is closed. */
    void add(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (closed) {
            throw rejected();
        }
        tasks.add(task);
        if (closed && tasks.remove(task)) {
            throw rejected();                    // the last run had begun and did not take it
        }
        if (sleeping == 1 && SLEEPING.compareAndSet(this, 1, 0)) {
            Native.eventfdWrite(WAKE_STATE, eventFd, ONE);
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** No more tasks are taken; those already queued are still run by {@link #run}. */
    void close() {
        closed = true;
    }

    /**
     * Queues {@code turn} for the port's next turn: it runs after the port has entered the ring and
     * reaped its completions once more, never in the run that queues it. Port thread only.
     */
    void later(Runnable turn) {
        nextTurn.add(Objects.requireNonNull(turn, "turn"));
    }

    /**
     * Runs up to 4096 queued tasks (bounded, so a flood of tasks cannot starve the ring), then what
     * {@link #later} queued before this run; returns how many ran.
     */
    int run() {
        int later = nextTurn.size();
        int i = 0;
        for (Runnable r = tasks.poll(); r != null; r = i < BATCH ? tasks.poll() : null) {
            i++;
            runQuietly(r);
        }
        for (int j = 0; j < later; j++) {
            runQuietly(nextTurn.poll());
        }
        return i + later;
    }

    private void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: a task failed on " + name, t);
        }
    }

    /** Whether the port may wait: no task and no next turn is queued, and from now on an adder wakes it. */
    boolean sleep() {
        if (!tasks.isEmpty() || !nextTurn.isEmpty()) {
            return false;
        }
        sleeping = 1;
        if (!tasks.isEmpty()) {
            sleeping = 0;
            return false;
        }
        return true;
    }

    /** The port is awake again: adders need not wake it. */
    void awake() {
        sleeping = 0;
    }

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException(name + " is closed");
    }
}
