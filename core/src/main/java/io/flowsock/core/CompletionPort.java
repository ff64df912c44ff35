package io.flowsock.core;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One event-loop thread and the completions it runs. Every completion of a connection runs on
 * that connection's port, in order; state owned by a connection is touched only there.
 *
 * <p><b>Threading.</b> {@link #execute} and {@link #schedule} may be called from any thread;
 * tasks run on the port thread, in submission order. Never block in a task.
 */
public interface CompletionPort extends Executor {
    /** Runs {@code task} on this port's thread. Any thread. */
    @Override
    void execute(Runnable task);

    /** Whether the caller is this port's thread. */
    boolean inPort();

    /** Runs {@code task} now if the caller is this port's thread, else hands it to the port. */
    default void dispatch(Runnable task) {
        java.util.Objects.requireNonNull(task, "task");
        if (inPort()) {
            task.run();
        } else {
            execute(task);
        }
    }

    /** Runs {@code task} on this port's thread after {@code delay}, by the transport's timer. */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** The transport's timer, whose clock the watchdogs use. */
    Timer timer();
}
