package io.flowsock.core.internal;

import io.flowsock.core.Cancellable;
import io.flowsock.core.Timer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The JVM-wide timer: one daemon thread that owns a heap of deadlines. Port threads schedule and
 * cancel watchdogs all the time, so neither may take a lock (a contended lock parks the caller,
 * and a port thread must never block): a new task is pushed onto a lock-free stack (the task is its own node) and the
 * thread woken with {@code unpark}; a cancel only marks the task, and the thread drops marked tasks
 * when they come due or, when they pile up, all at once.
 */
public final class SystemTimer implements Timer {
    public static final SystemTimer INSTANCE = new SystemTimer();

    private static final int PURGE_AT = 1024;

    /** New tasks, newest first, linked through {@code Task.next}: pushed by any thread, taken whole by the timer thread. */
    private final AtomicReference<Task> incoming = new AtomicReference<>();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final Thread thread;
    /** The deadline the thread sleeps until, while {@link #parked}: written by the thread, read by schedulers. */
    private volatile long wakeAt;
    /** Written by the thread around parking, read by schedulers: only a sleeping thread needs waking. */
    private volatile boolean parked;

    private SystemTimer() {
        thread = new Thread(this::run, "flowsock-timer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        return add(task, delay, unit, null);
    }

    /** The task itself is the hand-off to {@code executor}: no wrapper per task. */
    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit, Executor executor) {
        return add(task, delay, unit, Objects.requireNonNull(executor, "executor"));
    }

    private Task add(Runnable task, long delay, TimeUnit unit, Executor executor) {
        Objects.requireNonNull(task, "task");   // else it would fail later, on the timer's thread
        Objects.requireNonNull(unit, "unit");
        Task t = new Task(System.nanoTime() + Math.max(0, unit.toNanos(delay)), task, executor);
        Task head;
        do {
            head = incoming.get();
            t.next = head;
        } while (!incoming.compareAndSet(head, t));
        if (parked && t.deadline - wakeAt < 0) {
            LockSupport.unpark(thread);
        }
        return t;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    private void run() {
        PriorityQueue<Task> heap = new PriorityQueue<>();
        while (true) {
            for (Task t = incoming.getAndSet(null); t != null; ) {
                Task next = t.next;
                t.next = null;
                heap.add(t);
                t = next;
            }
            if (cancelled.get() > PURGE_AT && cancelled.get() > heap.size() / 2) {
                int removed = heap.size();
                heap.removeIf(t -> t.task == null);
                cancelled.addAndGet(-(removed - heap.size()));
            }
            long now = System.nanoTime();
            Task head;
            while ((head = heap.peek()) != null && head.deadline - now <= 0) {
                heap.poll();
                Runnable task = head.task;
                if (task == null) {
                    cancelled.decrementAndGet();
                } else if (head.executor != null) {
                    handOver(task, head.executor);
                } else {
                    runQuietly(task);
                }
            }
            long sleep = head == null ? TimeUnit.DAYS.toNanos(1) : head.deadline - now;
            wakeAt = now + sleep;
            parked = true;
            if (incoming.get() == null) {       // one that arrived after the drain is seen here, or it saw parked
                LockSupport.parkNanos(this, sleep);
            }
            parked = false;
        }
    }

    private static void handOver(Runnable task, Executor executor) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException gone) {
            // the executor (a port) was shut down: whatever the task was for is gone with it
        } catch (RuntimeException | Error e) {
            System.getLogger(SystemTimer.class.getName()).log(System.Logger.Level.WARNING,
                    "flowsock: handing a timer task over failed", e);
        }
    }

    private static void runQuietly(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            System.getLogger(SystemTimer.class.getName()).log(System.Logger.Level.WARNING,
                    "flowsock: a timer task threw", e);
        }
    }

    /** 32 bytes: one per armed watchdog, so on every idle connection. */
    private static final class Task implements Cancellable, Comparable<Task> {
        private static final VarHandle TASK;

        static {
            try {
                TASK = MethodHandles.lookup().findVarHandle(Task.class, "task", Runnable.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long deadline;
        final Executor executor;   // where the task is handed to, or null: run on the timer thread
        volatile Runnable task;    // null once cancelled: set by any thread once, read by the timer thread
        Task next;                 // the incoming stack's link: written before the push, cleared by the timer thread

        Task(long deadline, Runnable task, Executor executor) {
            this.deadline = deadline;
            this.task = task;
            this.executor = executor;
        }

        @Override
        public void cancel() {
            if (task != null && TASK.getAndSet(this, null) != null) {
                INSTANCE.cancelled.incrementAndGet();
            }
        }

        @Override
        public int compareTo(Task o) {
            return Long.compare(deadline - o.deadline, 0);
        }
    }
}
