package io.flowsock.http;

import io.flowsock.reactive.Connection;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

/**
 * The connections to one origin (scheme, host, port): idle ones kept for reuse, newest first, up
 * to {@link PoolSettings#maxConnections()} open at once, and the acquires that wait for one.
 *
 * <p><b>Threading.</b> Any thread. The state below is guarded by this object's monitor, held only
 * to read and change it: connecting, closing and handing a connection to a waiter all happen
 * after it is released, so no lock is ever held while calling out, and none on a port thread for
 * longer than a few field updates.
 */
final class ClientPool {
    private final URI origin;
    private final Mono<Connection> connector;
    private final PoolSettings settings;
    private final int maxHeaderSize;

    // guarded by this
    private final ArrayDeque<ClientConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private int open;   // idle, busy and connecting
    private boolean disposed;

    /** An acquire that waits; whoever claims it first, a hand-over or a cancel, decides its fate. */
    private static final class Waiter extends AtomicBoolean {
        final MonoSink<ClientConnection> sink;
        /** Set by acquire before the waiter can be handed anything; disposed by whoever claims it. */
        volatile Disposable timer = Disposables.disposed();

        Waiter(MonoSink<ClientConnection> sink) {
            this.sink = sink;
        }

        boolean claim() {
            if (compareAndSet(false, true)) {
                timer.dispose();
                return true;
            }
            return false;
        }
    }

    ClientPool(URI origin, Mono<Connection> connector, PoolSettings settings, int maxHeaderSize) {
        this.origin = origin;
        this.connector = connector;
        this.settings = settings;
        this.maxHeaderSize = maxHeaderSize;
    }

    /** A connection for one exchange: an idle one, a new one, or the next one released. */
    Mono<ClientConnection> acquire() {
        return Mono.create(sink -> {
            Waiter w = new Waiter(sink);
            sink.onCancel(() -> {
                if (w.claim()) {
                    synchronized (this) {
                        waiting.remove(w);
                    }
                }
            });
            List<ClientConnection> stale = new ArrayList<>(0);
            ClientConnection reuse = null;
            boolean connect = false;
            boolean waits = false;
            HttpClientException refused = null;
            synchronized (this) {
                long now = System.nanoTime();
                while (reuse == null && !idle.isEmpty()) {
                    ClientConnection c = idle.pollFirst();
                    if (c.usable() && !expired(c, now)) {
                        reuse = c;
                    } else {
                        stale.add(c);
                        uncount(c);
                    }
                }
                if (disposed) {
                    refused = new HttpClientException(HttpClientException.Kind.CLIENT_DISPOSED, origin,
                            "the client is disposed");
                } else if (reuse == null && open < settings.maxConnections()) {
                    open++;
                    connect = true;
                } else if (reuse == null && waiting.size() < settings.pendingAcquireMax()) {
                    waiting.add(w);
                    waits = true;
                } else if (reuse == null) {
                    refused = new HttpClientException(HttpClientException.Kind.PENDING_ACQUIRE_LIMIT, origin,
                            "all " + settings.maxConnections() + " connections are busy and "
                                    + settings.pendingAcquireMax() + " requests already wait for one");
                }
            }
            stale.forEach(ClientConnection::closeIdle);
            if (refused != null) {
                sink.error(refused);
            } else if (reuse != null) {
                hand(w, reuse, true);
            } else if (connect) {
                connect(w);
            } else if (waits && !settings.pendingAcquireTimeout().isZero()) {
                w.timer = Schedulers.parallel().schedule(() -> waitedTooLong(w),
                        settings.pendingAcquireTimeout().toNanos(), TimeUnit.NANOSECONDS);
            }
        });
    }

    private void waitedTooLong(Waiter w) {
        if (w.claim()) {
            synchronized (this) {
                waiting.remove(w);
            }
            w.sink.error(new HttpClientException(HttpClientException.Kind.PENDING_ACQUIRE_TIMEOUT, origin,
                    "no connection came free within the pending acquire timeout of "
                            + settings.pendingAcquireTimeout().toMillis() + " ms"));
        }
    }

    private void connect(Waiter w) {
        connector.subscribe(conn -> hand(w, new ClientConnection(conn, this, maxHeaderSize), false), e -> {
            synchronized (this) {
                open--;
            }
            if (w.claim()) {
                w.sink.error(e);
            }
            serveWaiter();
        });
    }

    private void hand(Waiter w, ClientConnection c, boolean reused) {
        if (w.claim()) {
            c.reused = reused;
            w.sink.success(c);
        } else {
            release(c);   // its acquire was cancelled meanwhile: the next one gets it
        }
    }

    /** Takes {@code c} off the open count once, whichever path gets there first; under the lock. */
    private boolean uncount(ClientConnection c) {
        if (!c.counted) {
            return false;
        }
        c.counted = false;
        open--;
        return true;
    }

    private boolean expired(ClientConnection c, long now) {
        return !settings.maxLifetime().isZero() && now - c.created >= settings.maxLifetime().toNanos();
    }

    /** An exchange ended with the connection reusable: to a waiter, or idle. */
    void release(ClientConnection c) {
        Waiter next = null;
        boolean close = false;
        long stamp;
        synchronized (this) {
            stamp = System.nanoTime();
            if (disposed || !c.usable() || expired(c, stamp)) {
                uncount(c);
                close = true;
            } else {
                while (next == null && !waiting.isEmpty()) {
                    Waiter w = waiting.pollFirst();
                    if (!w.get()) {
                        next = w;
                    }
                }
                if (next == null) {
                    c.idleSince = stamp;
                    idle.addFirst(c);
                }
            }
        }
        if (close) {
            c.closeIdle();
            serveWaiter();
        } else if (next != null) {
            hand(next, c, true);
        } else if (!settings.idleTimeout().isZero()) {
            Schedulers.parallel().schedule(() -> idleExpired(c, stamp), settings.idleTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void idleExpired(ClientConnection c, long stamp) {
        synchronized (this) {
            if (c.idleSince != stamp || !idle.remove(c)) {
                return;   // used since, or gone already
            }
            uncount(c);
        }
        c.closeIdle();
        serveWaiter();
    }

    /** The connection closed (either side, any state): its place goes to a waiter. */
    void closed(ClientConnection c) {
        synchronized (this) {
            idle.remove(c);
            if (!uncount(c)) {
                return;   // taken off the count already, by whoever decided to close it
            }
        }
        serveWaiter();
    }

    /** Opens a connection for the first waiter if there is room now. */
    private void serveWaiter() {
        Waiter w = null;
        synchronized (this) {
            while (!disposed && open < settings.maxConnections() && !waiting.isEmpty()) {
                Waiter next = waiting.pollFirst();
                if (!next.get()) {
                    w = next;
                    open++;
                    break;
                }
            }
        }
        if (w != null) {
            connect(w);
        }
    }

    /** Closes the idle connections and fails the waiters; busy ones close when their exchange ends. */
    void dispose() {
        List<ClientConnection> toClose;
        List<Waiter> toFail;
        synchronized (this) {
            disposed = true;
            toClose = new ArrayList<>(idle);
            toClose.forEach(this::uncount);
            idle.clear();
            toFail = new ArrayList<>(waiting);
            waiting.clear();
        }
        toClose.forEach(ClientConnection::closeIdle);
        for (Waiter w : toFail) {
            if (w.claim()) {
                w.sink.error(new HttpClientException(HttpClientException.Kind.CLIENT_DISPOSED, origin,
                        "the client was disposed while this request waited for a connection"));
            }
        }
    }

    synchronized HttpClient.PoolStats stats() {
        return new HttpClient.PoolStats(open, idle.size(), waiting.size());
    }
}
