package io.flowsock.reactive;

import io.flowsock.core.Channel;
import io.flowsock.core.ConnectionClosedException;
import io.flowsock.core.ConnectionResetException;
import io.flowsock.core.IdleTimeoutException;
import io.flowsock.core.Listener;
import io.flowsock.core.Tunable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

/** {@link DisposableServer} over a core {@link Listener}: runs the handler of each accepted connection. */
final class BoundServer implements DisposableServer {
    private static final Logger LOG = Loggers.getLogger(BoundServer.class);

    private final Function<? super Connection, ? extends Publisher<Void>> handler;
    private final Consumer<? super Connection> onConnection;
    private final Consumer<? super DisposableServer> onUnbound;
    private final Consumer<? super Connection> onDispose;   // null: close each connection gracefully
    private final Set<ChannelConnection> connections = ConcurrentHashMap.newKeySet();
    private final Consumer<ChannelConnection> closed = this::connectionClosed;   // one for all connections
    private final CompletableFuture<Void> disposed = new CompletableFuture<>();
    private volatile Listener listener;   // set once right after bind, before any accept can complete
    private volatile boolean disposing;
    private final java.util.concurrent.atomic.AtomicBoolean unbound = new java.util.concurrent.atomic.AtomicBoolean();

    BoundServer(Function<? super Connection, ? extends Publisher<Void>> handler,
                Consumer<? super Connection> onConnection, Consumer<? super DisposableServer> onUnbound,
                Consumer<? super Connection> onDispose) {
        this.handler = handler;
        this.onConnection = onConnection;
        this.onUnbound = onUnbound;
        this.onDispose = onDispose;
    }

    void listener(Listener l) {
        listener = l;
    }

    /** Runs on the accepted connection's port thread. */
    void accepted(Channel channel) {
        ChannelConnection c = new ChannelConnection(channel, closed);
        connections.add(c);
        if (disposing) {
            c.close().subscribe();
            return;
        }
        // Under TLS the handler meets a connection whose handshake is done (it completes on this
        // port); one that fails closed itself with the reason, and nobody else needs to hear of it.
        channel.handshake().thenRun(() -> serve(c));
    }

    private void serve(ChannelConnection c) {
        if (disposing) {
            c.close().subscribe();
            return;
        }
        Publisher<Void> p;
        try {
            onConnection.accept(c);
            p = Objects.requireNonNull(handler.apply(c), "the handler returned null");
        } catch (RuntimeException e) {
            handlerFailed(c, e);
            return;
        }
        // Whatever closes the connection ends the handler too, so nothing it started (an interval,
        // a subscription elsewhere) outlives it; after the handler's own end this does nothing.
        c.run(p);
    }

    /** A connection of this server closed. Its port thread. */
    private void connectionClosed(ChannelConnection c) {
        connections.remove(c);
        maybeDisposed();
    }

    static void handlerFailed(ChannelConnection c, Throwable e) {
        // Nobody downstream can see a handler's error: log it once. What the peer caused is routine.
        if (e instanceof ConnectionResetException || e instanceof ConnectionClosedException
                || e instanceof IdleTimeoutException) {
            LOG.debug("flowsock: connection {} ended: {}", c, e.toString());
        } else {
            LOG.warn("flowsock: handler failed on " + c + "; closing it abortively", e);
        }
        c.channel.abort(e);
    }

    @Override
    public int port() {
        return listener.address().getPort();
    }

    @Override
    public InetSocketAddress address() {
        return listener.address();
    }

    @Override
    public Tunable backlog() {
        return listener.backlog();
    }

    @Override
    public void backlog(int cap) {
        listener.backlog(cap);
    }

    @Override
    public long accepted() {
        return listener.accepted();
    }

    @Override
    public long watchdogClosed() {
        return listener.watchdogClosed();
    }

    @Override
    public int connections() {
        return connections.size();
    }

    @Override
    public void dispose() {
        if (disposing) {
            return;
        }
        disposing = true;
        listener.close();
        listener.onClose().whenComplete((v, e) -> maybeDisposed());
        for (ChannelConnection c : connections) {
            if (onDispose == null) {
                c.channel.close();
                continue;
            }
            try {
                onDispose.accept(c);
            } catch (RuntimeException e) {
                LOG.warn("flowsock: doOnDispose hook failed for " + c + "; closing it", e);
                c.channel.close();
            }
        }
        maybeDisposed();
    }

    /** Runs the unbound hook once, then completes onDispose: whoever awaits disposal sees the hook done. */
    private void maybeDisposed() {
        if (disposing && connections.isEmpty() && listener.onClose().isDone() && unbound.compareAndSet(false, true)) {
            try {
                onUnbound.accept(this);
            } catch (RuntimeException e) {
                LOG.warn("flowsock: doOnUnbound hook failed for " + this, e);
            }
            disposed.complete(null);
        }
    }

    @Override
    public void disposeNow(Duration timeout) {
        TcpSettings.notNegative("timeout", timeout);
        dispose();
        try {
            disposed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return;
        } catch (TimeoutException late) {
            for (ChannelConnection c : connections) {
                c.channel.dispose();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.ExecutionException e) {
            return;
        }
        try {
            disposed.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("flowsock: server on {} still had {} connection(s) 5 s after disposing them", address(),
                    connections.size());
        }
    }

    @Override
    public boolean isDisposed() {
        return disposing;
    }

    @Override
    public Mono<Void> onDispose() {
        return Mono.fromFuture(disposed, true);
    }

    @Override
    public String toString() {
        return "DisposableServer[" + listener.address() + "]";
    }
}
