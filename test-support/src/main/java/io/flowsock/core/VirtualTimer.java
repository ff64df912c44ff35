package io.flowsock.core;

import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Timer} whose clock moves only when {@link #advance(Duration)} is called, for tests of
 * watchdogs and timeouts that must not sleep.
 *
 * <p><b>Threading.</b> Safe from any thread. Due tasks run on the thread that calls
 * {@code advance}, in order of their due time; the core's tasks only hand work to a port, so
 * their effect is visible shortly after, on the port thread.
 */
public final class VirtualTimer implements Timer {
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long now;
    private long sequence;

    @Override
    public synchronized Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        Entry e = new Entry(now + Math.max(0, unit.toNanos(delay)), sequence++, task);
        queue.add(e);
        return () -> {
            synchronized (VirtualTimer.this) {
                queue.remove(e);
            }
        };
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    /** Moves the clock forward and runs every task that became due, in due order. */
    public void advance(Duration by) {
        Objects.requireNonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("by must not be negative, was " + by);
        }
        long target;
        synchronized (this) {
            target = now + by.toNanos();
        }
        while (true) {
            Entry due;
            synchronized (this) {
                Entry head = queue.peek();
                if (head == null || head.at > target) {
                    now = target;
                    return;
                }
                due = queue.poll();
                now = Math.max(now, due.at);
            }
            due.task.run();
        }
    }

    /** Tasks scheduled and not yet run or cancelled. */
    public synchronized int pending() {
        return queue.size();
    }

    private record Entry(long at, long seq, Runnable task) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
