package io.flowsock.core.internal;

import io.flowsock.core.Cancellable;
import io.flowsock.core.CompletionPort;
import java.util.concurrent.TimeUnit;

/**
 * What {@link BaseTransport} needs of a backend's port beyond {@link CompletionPort}: its open
 * channels, and a start and a stop it can wait for; and the one way a port runs timer tasks.
 *
 * <p><b>Threading.</b> {@link #channels()} is the port thread's; the others are safe from any thread.
 */
public interface BackendPort extends CompletionPort {
    /** The port's open channels. Port thread. */
    PortChannels channels();

    /** Waits until the port can run tasks; throws the reason when it cannot. Any thread. */
    default void awaitStarted() {
    }

    /** Ends the port's thread after what it has queued; idempotent. Any thread. */
    void stop();

    /** Waits for the port's thread to end; false if it has not ended within {@code timeout}. Any thread. */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException;

    /** Hands {@code task} to this port after {@code delay}, by the transport's timer; dropped if the port is gone. */
    @Override
    default Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        return timer().schedule(task, delay, unit, this);
    }
}
