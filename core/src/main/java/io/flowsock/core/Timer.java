package io.flowsock.core;

import io.flowsock.core.internal.SystemTimer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Time as the core sees it: a clock and one-shot tasks. Injectable so tests can drive time (the
 * tests' VirtualTimer, in flowsock-test-support). Watchdogs and timeouts only ever use this, never the wall clock.
 *
 * <p><b>Threading.</b> {@code schedule} may be called from any thread. Tasks run on the timer's
 * own thread (or, for a virtual timer, the thread that advances it) and must be short:
 * the core's tasks only hand work to a completion port.
 */
public interface Timer {
    /** Runs {@code task} once after {@code delay}. */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /**
     * Hands {@code task} to {@code executor} once after {@code delay}; dropped if the executor
     * refuses it (a port that is gone). The system timer does this without a wrapper per task: a
     * watchdog armed on every idle connection costs one object.
     */
    default Cancellable schedule(Runnable task, long delay, TimeUnit unit, Executor executor) {
        java.util.Objects.requireNonNull(task, "task");   // else it would fail later, on the timer's thread
        java.util.Objects.requireNonNull(executor, "executor");
        return schedule(() -> {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException gone) {
                // the executor was shut down: whatever the task was for is gone with it
            }
        }, delay, unit);
    }

    /** Monotonic time in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** The JVM-wide timer: one daemon thread, started on first use. */
    static Timer system() {
        return SystemTimer.INSTANCE;
    }
}
