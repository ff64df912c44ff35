package io.flowsock.core.internal;

import io.flowsock.core.Capabilities;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.BindException;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.DatagramEndpoint;
import io.flowsock.core.DatagramException;
import io.flowsock.core.DatagramOptions;
import io.flowsock.core.spi.DatagramIo;
import java.io.IOException;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Timer;
import io.flowsock.core.Transport;
import java.net.InetSocketAddress;
import java.net.SocketOption;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What a transport is on every backend: its ports (created, their threads named, chosen round-robin
 * for each connect), the checks of {@code listen} and {@code connect} arguments, the listeners it
 * must close, and the close sequence. A backend adds its socket options, its listener and its
 * half of a connect ({@link ConnectAttempt.Dialer}).
 *
 * <p><b>Threading.</b> All public methods are safe from any thread.
 *
 * @param <P> the backend's port
 */
public abstract class BaseTransport<P extends BackendPort> implements Transport {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String name;
    private final Capabilities capabilities;
    private final Timer timer;
    private final List<P> ports;
    private final AtomicInteger next = new AtomicInteger();     // round-robin cursor, any thread; floorMod wraps it
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();   // set once by close(); listen and connect refuse after

    /** Creates one of a backend's ports. */
    @FunctionalInterface
    public interface PortFactory<P> {
        P create(int index, ThreadFactory threads, Timer timer);
    }

    /**
     * Creates {@code portCount} ports and waits until each has started; if one cannot, stops those
     * created and throws its reason.
     *
     * @param name    the backend's name, also in its threads' names
     * @param threads the ports' thread factory, or {@code null} for daemon threads named
     *                flowsock-<i>name</i>-N-I (N this transport, I the port)
     */
    protected BaseTransport(String name, Capabilities capabilities, int portCount, ThreadFactory threads, Timer timer,
                            PortFactory<P> factory) {
        Checks.positive("ports", portCount);
        this.name = name;
        this.capabilities = capabilities;
        this.timer = Objects.requireNonNull(timer, "timer");
        int id = IDS.incrementAndGet();
        List<P> created = new ArrayList<>(portCount);
        try {
            for (int i = 0; i < portCount; i++) {
                ThreadFactory f = threads != null ? threads : daemon("flowsock-" + name + "-" + id + "-" + i);
                created.add(factory.create(i, f, timer));
            }
            for (P p : created) {
                p.awaitStarted();
            }
        } catch (RuntimeException | Error e) {
            created.forEach(BackendPort::stop);
            throw e;
        }
        ports = List.copyOf(created);
    }

    private static ThreadFactory daemon(String threadName) {
        return r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Fails, naming the option, when this backend's TCP sockets do not support one of
     * {@code socketOptions} here: checked at listen and connect, not at the first accept.
     */
    protected abstract void checkOptions(Map<SocketOption<?>, Object> socketOptions);

    /**
     * Binds {@code address} (resolved, options checked) and starts accepting.
     *
     * @throws io.flowsock.core.BindException naming the address when it cannot be bound
     */
    protected abstract Listener bind(InetSocketAddress address, ListenOptions options, Consumer<Channel> onAccept);

    /** The backend's half of a connect. */
    protected abstract ConnectAttempt.Dialer<P, ?> dialer();

    /**
     * Opens a datagram socket on {@code port}, bound to {@code local} (resolved) and connected to
     * {@code remote} when that is not {@code null}, with {@code socketOptions} applied. Called on
     * {@code port}'s thread.
     *
     * @throws IllegalArgumentException naming an option the backend's datagram sockets do not support
     * @throws java.io.IOException      when the socket cannot be opened, bound or connected
     */
    protected io.flowsock.core.spi.DatagramIo openDatagram(P port, InetSocketAddress local, InetSocketAddress remote,
                                                           Map<SocketOption<?>, Object> socketOptions)
            throws java.io.IOException {
        throw new UnsupportedOperationException("the " + name + " backend has no datagram sockets");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public final List<P> ports() {
        return ports;
    }

    @Override
    public final Timer timer() {
        return timer;
    }

    @Override
    public final Listener listen(InetSocketAddress address, ListenOptions options, Consumer<Channel> onAccept) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onAccept, "onAccept");
        checkResolved("address", address);
        checkOpen();
        checkOptions(options.child().socketOptions());
        Listener l = bind(address, options, onAccept);
        listeners.add(l);
        l.onClose().whenComplete((v, e) -> listeners.remove(l));
        if (closed.get()) {
            l.close();                  // the transport closed meanwhile and may have missed it
        }
        return l;
    }

    @Override
    public final CompletableFuture<Channel> connect(InetSocketAddress remote, ChannelOptions options,
                                                    Duration timeout) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(options, "options");
        Checks.notNegative("timeout", timeout);
        checkResolved("remote", remote);
        checkOpen();
        checkOptions(options.socketOptions());
        P port = ports.get(Math.floorMod(next.getAndIncrement(), ports.size()));
        return ConnectAttempt.start(port, dialer(), remote, options, timeout);
    }

    @Override
    public final CompletableFuture<DatagramEndpoint> openDatagram(InetSocketAddress local, DatagramOptions options) {
        return datagram(local, null, options);
    }

    @Override
    public final CompletableFuture<DatagramEndpoint> connectDatagram(InetSocketAddress local, InetSocketAddress remote,
                                                                     DatagramOptions options) {
        Objects.requireNonNull(remote, "remote");
        checkResolved("remote", remote);
        return datagram(local, remote, options);
    }

    /** Opens the socket on the next port's thread, where the backend's hook must run. */
    private CompletableFuture<DatagramEndpoint> datagram(InetSocketAddress local, InetSocketAddress remote,
                                                         DatagramOptions options) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(options, "options");
        checkResolved("local", local);
        checkOpen();
        P port = ports.get(Math.floorMod(next.getAndIncrement(), ports.size()));
        CompletableFuture<DatagramEndpoint> opened = new CompletableFuture<>();
        Runnable open = () -> {
            DatagramIo io;
            try {
                io = openDatagram(port, local, remote, options.socketOptions());
            } catch (java.net.BindException e) {
                opened.completeExceptionally(new BindException(local, e));
                return;
            } catch (IOException e) {
                opened.completeExceptionally(new DatagramException("cannot open a datagram socket on " + local
                        + (remote != null ? " to " + remote : "") + ": " + e.getMessage(),
                        remote != null ? remote : local, e));
                return;
            } catch (RuntimeException e) {
                opened.completeExceptionally(e);
                return;
            }
            PortChannels registry = port.channels();
            DatagramEndpoint endpoint = DatagramAccess.open(port, io, options, registry::forget);
            registry.adopt(endpoint);
            if (closed.get() || !opened.complete(endpoint)) {
                endpoint.dispose();          // the transport closed meanwhile, or the caller gave up
            }
        };
        try {
            port.execute(open);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("transport " + name + " is closed", e);
        }
        return opened;
    }

    private static void checkResolved(String name, InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(name + " must be resolved, was " + address);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("transport " + name + " is closed");
        }
    }

    /**
     * Stops listening, closes every connection at once on its own port (so each one's onClose
     * completes and its buffers return), lets the ports run what that queued, then stops them and
     * waits for their threads. Called on a port thread, it does this on a helper thread and returns
     * at once, since it waits for the ports.
     */
    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (ports.stream().anyMatch(CompletionPort::inPort)) {
            Thread t = new Thread(this::shutdown, "flowsock-" + name + "-close");
            t.setDaemon(true);
            t.start();
            return;
        }
        shutdown();
    }

    private void shutdown() {
        for (Listener l : listeners) {
            l.close();
        }
        for (P p : ports) {
            PortChannels.runAndWait(p, p.channels()::disposeAll, 5, TimeUnit.SECONDS);
        }
        for (P p : ports) {
            PortChannels.runAndWait(p, () -> { }, 5, TimeUnit.SECONDS);   // completions the closes queued run first
        }
        awaitReleased();
        for (P p : ports) {
            p.stop();
        }
        for (P p : ports) {
            try {
                p.awaitTermination(10, TimeUnit.SECONDS);   // a port that does not end in time is left to its thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stopped();
    }

    /** Runs once after the ports stopped, on the closing thread: a backend stops its helper threads here. */
    protected void stopped() {
    }

    /**
     * Gives closes that finish later a moment while the ports still run: a TLS connection sends
     * close_notify and waits up to a second for it to go out, by a port timer that a stopped port
     * would refuse, leaving its onClose unanswered. Bounded: two seconds in all. Not a port thread.
     */
    private void awaitReleased() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (P p : ports) {
            boolean[] released = {false};
            while (PortChannels.runAndWait(p, () -> released[0] = p.channels().allReleased(), 1, TimeUnit.SECONDS)
                    && !released[0] && System.nanoTime() - deadline < 0) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[ports=" + ports.size() + "]";
    }
}
