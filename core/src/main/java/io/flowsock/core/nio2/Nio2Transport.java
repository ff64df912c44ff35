package io.flowsock.core.nio2;

import io.flowsock.core.internal.Checks;
import io.flowsock.core.internal.PortChannels;
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
import io.flowsock.core.spi.ChannelFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The NIO.2 backend: JDK {@code AsynchronousChannelGroup}s, one single-thread group per port. NIO.2
 * allows one pending accept, read and write per channel and cannot withdraw a read, which the
 * capabilities say; the core maps the tunables onto them.
 */
public final class Nio2Transport implements Transport {
    private static final Capabilities CAPABILITIES = new Capabilities(1, 1, 1024, 1024, false);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final List<Nio2Port> ports;
    private final Timer timer;
    private final AtomicInteger next = new AtomicInteger();
    private final Set<Nio2Listener> listeners = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile Set<SocketOption<?>> supported;   // computed once on first use; racing computations agree

    /**
     * @param threads the ports' thread factory, or {@code null} for daemon threads named
     *                flowsock-nio2-N-I
     */
    public Nio2Transport(int portCount, ThreadFactory threads, Timer timer) {
        Checks.positive("ports", portCount);
        this.timer = Objects.requireNonNull(timer, "timer");
        int id = IDS.incrementAndGet();
        List<Nio2Port> created = new ArrayList<>(portCount);
        for (int i = 0; i < portCount; i++) {
            int index = i;
            ThreadFactory f = threads != null ? threads : r -> {
                Thread t = new Thread(r, "flowsock-nio2-" + id + "-" + index);
                t.setDaemon(true);
                return t;
            };
            created.add(new Nio2Port(i, f, timer));
        }
        ports = List.copyOf(created);
    }

    @Override
    public String name() {
        return "nio2";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public List<Nio2Port> ports() {
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
        checkOpen();
        checkOptions(options.child().socketOptions());
        Nio2Listener l = new Nio2Listener(this, address, options, onAccept);
        listeners.add(l);
        return l;
    }

    void forget(Nio2Listener l) {
        listeners.remove(l);
    }

    @Override
    public CompletableFuture<Channel> connect(InetSocketAddress remote, ChannelOptions options, Duration timeout) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(options, "options");
        Checks.notNegative("timeout", timeout);
        if (remote.isUnresolved()) {
            throw new IllegalArgumentException("remote must be resolved, was " + remote);
        }
        checkOpen();
        checkOptions(options.socketOptions());
        Nio2Port port = ports.get(Math.floorMod(next.getAndIncrement(), ports.size()));
        CompletableFuture<Channel> result = new CompletableFuture<>();
        port.execute(() -> startConnect(port, remote, options, timeout, result));
        return result;
    }

    private void startConnect(Nio2Port port, InetSocketAddress remote, ChannelOptions options, Duration timeout,
                              CompletableFuture<Channel> result) {
        AsynchronousSocketChannel ch;
        try {
            ch = AsynchronousSocketChannel.open(port.group);
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(new ConnectException(remote, e));
            return;
        }
        try {
            applyOptions(ch, options.socketOptions());
        } catch (IOException | RuntimeException e) {
            close(ch);
            result.completeExceptionally(e instanceof IllegalArgumentException ? e : new ConnectException(remote, e));
            return;
        }
        Cancellable timeoutTask = timeout.isZero() ? () -> { } : port.schedule(() -> {
            if (result.completeExceptionally(new ConnectTimeoutException(remote, timeout))) {
                close(ch);
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((c, e) -> {
            if (result.isCancelled()) {
                onPort(port, () -> close(ch));   // the canceller's thread would contend for the socket's lock
            }
        });
        try {
            ch.connect(remote, null, connectDone(port, ch, remote, options, timeoutTask, result));
        } catch (RuntimeException e) {             // e.g. an address family this socket cannot reach
            timeoutTask.cancel();
            close(ch);
            result.completeExceptionally(new ConnectException(remote, e));
        }
    }

    private CompletionHandler<Void, Void> connectDone(Nio2Port port, AsynchronousSocketChannel ch,
                                                      InetSocketAddress remote, ChannelOptions options,
                                                      Cancellable timeoutTask, CompletableFuture<Channel> result) {
        return new CompletionHandler<Void, Void>() {
            @Override
            public void completed(Void v, Void a) {
                timeoutTask.cancel();
                Channel channel;
                try {
                    channel = port.adopt(ChannelFactory.connected(port, new Nio2Socket(port, ch), CAPABILITIES, options));
                } catch (IOException | RuntimeException e) {
                    close(ch);
                    result.completeExceptionally(new ConnectException(remote, e));
                    return;
                }
                if (!result.complete(channel)) {
                    channel.dispose();       // timed out or cancelled meanwhile
                }
            }

            @Override
            public void failed(Throwable e, Void a) {
                timeoutTask.cancel();
                close(ch);
                result.completeExceptionally(e instanceof java.net.ConnectException
                        ? new ConnectRefusedException(remote, e) : new ConnectException(remote, e));
            }
        };
    }

    /** Applies socket options that {@link #checkOptions} accepted. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void applyOptions(NetworkChannel ch, Map<SocketOption<?>, Object> socketOptions) throws IOException {
        for (Map.Entry<SocketOption<?>, Object> e : socketOptions.entrySet()) {
            ch.setOption((SocketOption) e.getKey(), e.getValue());
        }
    }

    /**
     * Fails, naming the option, when this platform's asynchronous TCP sockets do not support one of
     * {@code socketOptions}: checked at bind and connect, not at the first accept.
     */
    void checkOptions(Map<SocketOption<?>, Object> socketOptions) {
        Set<SocketOption<?>> supported = supportedOptions();
        for (SocketOption<?> option : socketOptions.keySet()) {
            if (!supported.contains(option)) {
                throw new IllegalArgumentException("socket option " + option.name() + " is not supported by the "
                        + name() + " backend's TCP sockets on this platform; supported: " + supported);
            }
        }
    }

    /** Whether this platform has SO_REUSEPORT, which one listener per port needs. Asked once. */
    boolean reusePortAvailable() {
        return supportedOptions().contains(java.net.StandardSocketOptions.SO_REUSEPORT);
    }

    private Set<SocketOption<?>> supportedOptions() {
        Set<SocketOption<?>> s = supported;
        if (s == null) {
            try (AsynchronousSocketChannel probe = AsynchronousSocketChannel.open(ports.get(0).group)) {
                s = Set.copyOf(probe.supportedOptions());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot open a socket to list its options", e);
            }
            supported = s;
        }
        return s;
    }

    /**
     * Runs {@code task} on {@code port}, or here if the port is gone. A socket is closed only on its
     * port: closing it from another thread while the port completes an operation on it makes the
     * port thread wait for the JDK's per-socket lock.
     */
    static void onPort(Nio2Port port, Runnable task) {
        try {
            port.dispatch(task);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            task.run();
        }
    }

    private static void close(AsynchronousSocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("transport " + name() + " is closed");
        }
    }

    /**
     * Stops listening, closes every connection at once on its own port (so each one's onClose
     * completes and its buffers return), lets the ports finish what that queued, then stops the
     * threads. Called on a port thread, it does this on a helper thread and returns at once.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        PortChannels.closeFromAnyThread(ports, "flowsock-nio2-close", this::shutdown);
    }

    private void shutdown() {
        PortChannels.closeChannels(listeners, ports, p -> p.channels);
        for (Nio2Port p : ports) {
            try {
                p.group.shutdownNow();
            } catch (IOException ignored) {
                // the group's channels are closed regardless
            }
        }
        for (Nio2Port p : ports) {
            try {
                p.group.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "Nio2Transport[ports=" + ports.size() + "]";
    }
}
