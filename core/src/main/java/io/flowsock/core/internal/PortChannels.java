package io.flowsock.core.internal;

import io.flowsock.core.Channel;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.DatagramEndpoint;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What every backend's port does alike: keep its open channels so closing the transport can answer
 * each one, run a task there now or later, or run one and wait.
 *
 * <p>An instance runs only on its port's thread; the static methods are safe from any thread.
 */
public final class PortChannels {
    // Identity, in one flat table: a HashSet costs a 32-byte node per open connection.
    private final Set<Channel> channels = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Consumer<Channel> forget = channels::remove;   // one per port, not one per connection
    private final Set<DatagramEndpoint> datagrams = new HashSet<>();

    /** Registers a new channel until it closes. Port thread. */
    public Channel adopt(Channel channel) {
        channels.add(channel);
        ChannelAccess.whenReleased(channel, forget);   // runs on this thread
        return channel;
    }

    /** Registers a new datagram endpoint until {@link #forget(DatagramEndpoint)}. Port thread. */
    void adopt(DatagramEndpoint endpoint) {
        datagrams.add(endpoint);
    }

    /** A datagram endpoint was released. Port thread. */
    void forget(DatagramEndpoint endpoint) {
        datagrams.remove(endpoint);
    }

    /** Whether every channel this port adopted has been released. Port thread. */
    public boolean allReleased() {
        return channels.isEmpty();
    }

    /** Closes every open channel and datagram endpoint of the port at once. Port thread. */
    public void disposeAll() {
        for (Channel c : List.copyOf(channels)) {
            c.dispose();
        }
        for (DatagramEndpoint d : List.copyOf(datagrams)) {
            d.dispose();
        }
    }

    /**
     * Runs {@code task} on {@code port}, at once when called there, or drops it when the port is
     * gone: a port refuses tasks only once it has stopped, and a stopped port has closed every
     * socket it had. A socket is closed only on its port: closed from another thread while the port
     * completes an operation on it, it would make the port wait for a lock (NIO.2) or race the
     * port's use of its ring (io_uring).
     */
    public static void onPort(CompletionPort port, Runnable task) {
        try {
            port.dispatch(task);
        } catch (RejectedExecutionException closed) {
            // the port closed every socket it had when it stopped
        }
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
}
