package io.flowsock.core.internal;

import io.flowsock.core.Cancellable;
import io.flowsock.core.Timer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The JVM-wide timer: one daemon thread. Cancelled tasks are removed at once so that per-connection
 * watchdogs that are re-armed and cancelled do not pile up.
 */
public final class SystemTimer implements Timer {
    public static final SystemTimer INSTANCE = new SystemTimer();

    private final ScheduledThreadPoolExecutor executor;

    private SystemTimer() {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "flowsock-timer");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        ScheduledFuture<?> f = executor.schedule(task, delay, unit);
        return () -> f.cancel(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
