package io.flowsock.reactive;

import io.flowsock.core.Tunable;
import java.net.InetSocketAddress;
import java.time.Duration;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A bound server.
 *
 * <p><b>Threading.</b> Every method is safe from any thread; the blocking {@code disposeNow}
 * must not be called on a completion port thread.
 *
 * <p><b>Lifecycle.</b> Accepts until disposed. {@link #dispose()} closes the listener first,
 * then closes every connection gracefully (each is closed at once when its close timeout
 * passes). {@link #disposeNow(Duration)} does the same and waits, closing whatever is still open
 * at once when the deadline passes. {@link #onDispose()} completes when the listener and every
 * connection are closed.
 */
public interface DisposableServer extends Disposable {
    /** The bound port (the real one when port 0 was asked for). */
    int port();

    /** The bound address. */
    InetSocketAddress address();

    /** (cap, accepts posted right now). */
    Tunable backlog();

    /** Changes the backlog cap from the next accept re-post; the listen queue keeps its size until rebind. */
    void backlog(int cap);

    /** Connections accepted so far. */
    long accepted();

    /**
     * Connections a watchdog closed: the peer sent nothing within firstByteTimeout, or stayed idle
     * past readIdleTimeout, or stopped reading past writeIdleTimeout (slow peers, slowloris).
     */
    long watchdogClosed();

    /** Connections open now. */
    int connections();

    /** Stops accepting, then closes every connection gracefully. Returns at once. */
    @Override
    void dispose();

    /** {@link #disposeNow(Duration)} with 45 seconds. */
    default void disposeNow() {
        disposeNow(Duration.ofSeconds(45));
    }

    /**
     * Stops accepting and closes every connection gracefully, waiting up to {@code timeout}; at
     * the deadline whatever is still open is closed at once, and the call returns.
     */
    void disposeNow(Duration timeout);

    /** Completes when the listener and every connection are closed. */
    Mono<Void> onDispose();
}
