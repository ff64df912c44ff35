package io.flowsock.spring.messaging;

import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * Runs a task each time a direction of a connection has been idle for a whole period, as Netty's
 * {@code IdleStateHandler} fires for Reactor Netty's {@code onReadIdle}/{@code onWriteIdle}: first
 * a period after the last activity, then once more for every further period without any. STOMP's
 * heart-beats are built on it (send one when writing was idle, give up when reading was).
 *
 * <p><b>Threading.</b> {@link #activity()} may be called from any thread, the task runs on the
 * scheduler's thread.
 */
final class InactivityWatch implements Runnable {
    private final Runnable task;
    private final long periodNanos;
    private final Scheduler scheduler;
    /** Written by {@link #activity()} (any thread), read by the check; a stale read only delays a check by one period. */
    private volatile long last = System.nanoTime();
    /** Written by the check and {@link #dispose()}; the check reschedules itself only while not disposed. */
    private volatile Disposable next;
    private volatile boolean disposed;

    InactivityWatch(Runnable task, long periodMillis, Scheduler scheduler) {
        if (periodMillis <= 0) {
            throw new IllegalArgumentException("an inactivity period must be > 0 ms, was " + periodMillis);
        }
        this.task = task;
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        this.scheduler = scheduler;
    }

    InactivityWatch start() {
        schedule(periodNanos);
        return this;
    }

    void activity() {
        last = System.nanoTime();
    }

    @Override
    public void run() {
        if (disposed) {
            return;
        }
        long idle = System.nanoTime() - last;
        if (idle >= periodNanos) {
            last = System.nanoTime();   // the next firing is a whole period later, as Netty's
            try {
                task.run();
            } finally {
                schedule(periodNanos);
            }
        } else {
            schedule(periodNanos - idle);
        }
    }

    private void schedule(long delayNanos) {
        if (!disposed) {
            next = scheduler.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
            if (disposed) {
                next.dispose();
            }
        }
    }

    void dispose() {
        disposed = true;
        Disposable d = next;
        if (d != null) {
            d.dispose();
        }
    }
}
