package io.flowsock.core.internal;

import io.flowsock.core.Cancellable;
import io.flowsock.core.Channel;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.Listener;
import io.flowsock.core.Timer;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What every backend's port does alike: keep its open channels so closing the transport can answer
 * each one, hand timer tasks to the port, run a task there and wait, and the transport's close
 * sequence over its ports.
 *
 * <p>An instance runs only on its port's thread; the static methods are safe from any thread.
 */
public final class PortChannels {
    private final Set<Channel> channels = new HashSet<>();

    /** Registers a new channel until it closes. Port thread. */
    public Channel adopt(Channel channel) {
        channels.add(channel);
        channel.onClose().whenComplete((v, e) -> channels.remove(channel));   // completes on this thread
        return channel;
    }

    /** Closes every open channel of the port at once. Port thread. */
    public void disposeAll() {
        for (Channel c : List.copyOf(channels)) {
            c.dispose();
        }
    }

    /** Hands {@code task} to {@code port} after {@code delay} by {@code timer}; dropped if the port is gone. */
    public static Cancellable schedule(CompletionPort port, Timer timer, Runnable task, long delay, TimeUnit unit) {
        java.util.Objects.requireNonNull(task, "task");   // else it would fail later, on the timer's thread
        return timer.schedule(() -> {
            try {
                port.execute(task);
            } catch (RejectedExecutionException closed) {
                // the transport was closed: its connections are gone, so is the task's reason
            }
        }, delay, unit);
    }

    /** Runs {@code task} on the port and waits for it, or returns false if the port is gone or slow. */
    public static boolean runAndWait(CompletionPort port, Runnable task, long timeout, TimeUnit unit) {
        CountDownLatch done = new CountDownLatch(1);
        try {
            port.execute(() -> {
                try {
                    task.run();
                } finally {
                    done.countDown();
                }
            });
            return done.await(timeout, unit);
        } catch (RejectedExecutionException closed) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A transport's close: runs {@code shutdown} here, or on a daemon helper thread named
     * {@code helperName} when called on one of {@code ports} (the shutdown waits for the ports).
     */
    public static void closeFromAnyThread(List<? extends CompletionPort> ports, String helperName, Runnable shutdown) {
        if (ports.stream().anyMatch(CompletionPort::inPort)) {
            Thread t = new Thread(shutdown, helperName);
            t.setDaemon(true);
            t.start();
            return;
        }
        shutdown.run();
    }

    /**
     * Stops the listeners, closes every connection at once on its own port (so each one's onClose
     * completes and its buffers return), then lets each port run what that queued.
     */
    public static <P extends CompletionPort> void closeChannels(Collection<? extends Listener> listeners, List<P> ports,
                                                                Function<P, PortChannels> channelsOf) {
        for (Listener l : listeners) {
            l.close();
        }
        for (P p : ports) {
            runAndWait(p, channelsOf.apply(p)::disposeAll, 5, TimeUnit.SECONDS);
        }
        for (P p : ports) {
            runAndWait(p, () -> { }, 5, TimeUnit.SECONDS);   // completions the closes queued run first
        }
    }
}
