package io.flowsock.uring;

import io.flowsock.core.Cancellable;
import io.flowsock.core.Capabilities;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.ConnectException;
import io.flowsock.core.ConnectRefusedException;
import io.flowsock.core.ConnectTimeoutException;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Timer;
import io.flowsock.core.Transport;
import io.flowsock.core.internal.Checks;
import io.flowsock.core.internal.PortChannels;
import io.flowsock.core.spi.ChannelFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The io_uring backend: one ring per completion port thread. Accepts are multishot, receives pick
 * their buffers from a per-port provided-buffer ring, sends gather up to 64 buffers; a posted
 * receive can be withdrawn without losing the connection.
 */
final class UringTransport implements Transport {
    static final Capabilities CAPABILITIES = new Capabilities(1024, 1, 64, WriteBlock.MAX_IOV, true);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final List<UringPort> ports;
    private final Timer timer;
    private final AtomicInteger next = new AtomicInteger();
    private final Set<UringListener> listeners = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param threads the ports' thread factory, or {@code null} for daemon threads named
     *                flowsock-uring-N-I
     * @throws UnsupportedOperationException naming the reason when a ring cannot be set up
     */
    UringTransport(int portCount, ThreadFactory threads, Timer timer) {
        Checks.positive("ports", portCount);
        this.timer = Objects.requireNonNull(timer, "timer");
        int id = IDS.incrementAndGet();
        List<UringPort> created = new ArrayList<>(portCount);
        for (int i = 0; i < portCount; i++) {
            int index = i;
            ThreadFactory f = threads != null ? threads : r -> {
                Thread t = new Thread(r, "flowsock-uring-" + id + "-" + index);
                t.setDaemon(true);
                return t;
            };
            created.add(new UringPort(this, i, f, timer));
        }
        ports = List.copyOf(created);
        try {
            for (UringPort p : ports) {
                p.awaitStarted();
            }
        } catch (RuntimeException e) {
            ports.forEach(UringPort::stop);
            throw e;
        }
    }

    @Override
    public String name() {
        return "uring";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public List<UringPort> ports() {
        return ports;
    }

    @Override
    public Timer timer() {
        return timer;
    }

    @Override
    public Listener listen(InetSocketAddress address, ListenOptions options, Consumer<Channel> onAccept) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onAccept, "onAccept");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address must be resolved, was " + address);
        }
        checkOpen();
        SocketOptions.check(options.child().socketOptions());
        UringListener l = new UringListener(this, address, options, onAccept);
        listeners.add(l);
        return l;
    }

    void forget(UringListener l) {
        listeners.remove(l);
    }

    @Override
    public CompletableFuture<Channel> connect(InetSocketAddress remote, ChannelOptions options, Duration timeout) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(timeout, "timeout");
        if (remote.isUnresolved()) {
            throw new IllegalArgumentException("remote must be resolved, was " + remote);
        }
        checkOpen();
        SocketOptions.check(options.socketOptions());
        UringPort port = ports.get(Math.floorMod(next.getAndIncrement(), ports.size()));
        CompletableFuture<Channel> result = new CompletableFuture<>();
        port.execute(() -> startConnect(port, remote, options, timeout, result));
        return result;
    }

    private void startConnect(UringPort port, InetSocketAddress remote, ChannelOptions options, Duration timeout,
                              CompletableFuture<Channel> result) {
        if (result.isDone()) {
            return;                                   // cancelled before it started
        }
        UringSocket socket;
        try {
            int fd = Native.socket(port.state, SockAddr.family(remote));
            socket = new UringSocket(port, fd);
            try {
                SocketOptions.apply(port.state, port.scratch, fd, options.socketOptions());
            } catch (RuntimeException e) {
                socket.close(false);
                throw e;
            }
        } catch (Errno.Failure e) {
            result.completeExceptionally(new ConnectException(remote, e.asIoException("connect")));
            return;
        } catch (RuntimeException e) {
            result.completeExceptionally(e instanceof IllegalArgumentException ? e : new ConnectException(remote, e));
            return;
        }
        Cancellable timeoutTask = timeout.isZero() ? () -> { } : port.schedule(() -> {
            if (result.completeExceptionally(new ConnectTimeoutException(remote, timeout))) {
                socket.close(false);
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((c, e) -> {
            if (result.isCancelled()) {
                onPort(port, () -> socket.close(false));
            }
        });
        if (result.isDone()) {
            timeoutTask.cancel();                     // cancelled meanwhile: the socket is closed already
            return;
        }
        socket.connect(remote, res -> {
            timeoutTask.cancel();
            if (res < 0) {
                socket.close(false);
                java.io.IOException cause = Errno.exception("connect", -res);
                result.completeExceptionally(res == -Errno.ECONNREFUSED
                        ? new ConnectRefusedException(remote, cause) : new ConnectException(remote, cause));
                return;
            }
            Channel channel;
            try {
                channel = port.adopt(ChannelFactory.connected(port, socket.addresses(), CAPABILITIES, options));
            } catch (RuntimeException e) {
                socket.close(false);
                result.completeExceptionally(new ConnectException(remote, e));
                return;
            }
            if (!result.complete(channel)) {
                channel.dispose();                    // timed out or cancelled meanwhile
            }
        });
    }

    /** Runs {@code task} on {@code port}, or drops it if the port is gone (its sockets went with it). */
    static void onPort(UringPort port, Runnable task) {
        try {
            port.dispatch(task);
        } catch (RejectedExecutionException closed) {
            // the port closed every socket it had when it stopped
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("transport " + name() + " is closed");
        }
    }

    /**
     * Stops listening, closes every connection at once on its own port, lets the ports finish
     * what that queued, then stops the threads; each port tears its ring down after its
     * operations drain. Called on a port thread, it does this on a helper thread and returns at once.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        PortChannels.closeFromAnyThread(ports, "flowsock-uring-close", this::shutdown);
    }

    private void shutdown() {
        PortChannels.closeChannels(listeners, ports, p -> p.channels);
        for (UringPort p : ports) {
            p.stop();
        }
        for (UringPort p : ports) {
            try {
                p.terminated.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // a port that does not end in time is left to its daemon thread
            }
        }
    }

    @Override
    public String toString() {
        return "UringTransport[ports=" + ports.size() + "]";
    }
}
