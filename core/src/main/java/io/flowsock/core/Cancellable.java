package io.flowsock.core;

/** A scheduled task that can be withdrawn. Cancelling twice, or after it ran, does nothing. */
@FunctionalInterface
public interface Cancellable {
    /** Withdraws the task if it has not run yet. Any thread. */
    void cancel();
}
