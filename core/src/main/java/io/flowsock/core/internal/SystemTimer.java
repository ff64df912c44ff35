package io.flowsock.core.internal;

import io.flowsock.core.Cancellable;
import io.flowsock.core.Timer;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The JVM-wide timer: one daemon thread that owns a heap of deadlines. Port threads schedule and
 * cancel watchdogs all the time, so neither may take a lock (a contended lock parks the caller,
 * and a port thread must never block): a new task is handed over through a lock-free queue and the
 * thread woken with {@code unpark}; a cancel only marks the task, and the thread drops marked tasks
 * when they come due or, when they pile up, all at once.
 */
public final class SystemTimer implements Timer {
    public static final SystemTimer INSTANCE = new SystemTimer();

    private static final int PURGE_AT = 1024;

    private final ConcurrentLinkedQueue<Task> incoming = new ConcurrentLinkedQueue<>();
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
        Objects.requireNonNull(task, "task");   // else it would fail later, on the timer's thread
        Objects.requireNonNull(unit, "unit");
        Task t = new Task(System.nanoTime() + Math.max(0, unit.toNanos(delay)), task, this);
        incoming.add(t);
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
            for (Task t; (t = incoming.poll()) != null; ) {
                heap.add(t);
            }
            if (cancelled.get() > PURGE_AT && cancelled.get() > heap.size() / 2) {
                int removed = heap.size();
                heap.removeIf(t -> t.cancelled);
                cancelled.addAndGet(-(removed - heap.size()));
            }
            long now = System.nanoTime();
            Task head;
            while ((head = heap.peek()) != null && head.deadline - now <= 0) {
                heap.poll();
                if (head.cancelled) {
                    cancelled.decrementAndGet();
                } else {
                    runQuietly(head.task);
                }
            }
            long sleep = head == null ? TimeUnit.DAYS.toNanos(1) : head.deadline - now;
            wakeAt = now + sleep;
            parked = true;
            if (incoming.isEmpty()) {           // one that arrived after the drain is seen here, or it saw parked
                LockSupport.parkNanos(this, sleep);
            }
            parked = false;
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

    private static final class Task implements Cancellable, Comparable<Task> {
        final long deadline;
        final Runnable task;
        final SystemTimer timer;
        volatile boolean cancelled;   // written by any thread once, read by the timer thread

        Task(long deadline, Runnable task, SystemTimer timer) {
            this.deadline = deadline;
            this.task = task;
            this.timer = timer;
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                timer.cancelled.incrementAndGet();
            }
        }

        @Override
        public int compareTo(Task o) {
            return Long.compare(deadline - o.deadline, 0);
        }
    }
}
