package io.flowsock.http;

import io.flowsock.core.Cancellable;
import io.flowsock.core.Timer;
import io.flowsock.reactive.Connection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP connections of one bound server: for its dispose, which ends each one's exchange
 * before closing it, and for the timeouts, which one periodic sweep checks for all of them rather
 * than a timer armed and cancelled per request.
 *
 * <p><b>Threading.</b> Any thread; the sweep runs on the system timer's thread and only tells a
 * connection to look at its clock, which it does in its own serial loop.
 */
final class ServerConnections {
    private final Map<Connection, ServerConnection> open = new ConcurrentHashMap<>();
    private final long sweepMillis;
    /** Written by start and stop (any thread); read by the sweep. */
    private volatile Cancellable sweep;
    private volatile boolean stopped;

    private final RequestParsers parsers;

    ServerConnections(HttpLimits limits) {
        this.sweepMillis = limits.sweepMillis();
        this.parsers = new RequestParsers(limits);
    }

    RequestParsers parsers() {
        return parsers;
    }

    void add(ServerConnection c) {
        open.put(c.connection(), c);
    }

    void remove(ServerConnection c) {
        open.remove(c.connection());
    }

    int size() {
        return open.size();
    }

    void start() {
        schedule();
    }

    private void schedule() {
        if (!stopped) {
            sweep = Timer.system().schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (ServerConnection c : open.values()) {
            c.timeout(now);
        }
        schedule();
    }

    void stop() {
        stopped = true;
        Cancellable s = sweep;
        if (s != null) {
            s.cancel();
        }
    }

    /** The TCP server is disposing: each connection finishes its exchange, then closes. */
    void shutdown(Connection c) {
        ServerConnection http = open.get(c);
        if (http != null) {
            http.shutdown();
        } else {
            c.close().subscribe(null, e -> c.dispose());
        }
    }
}
