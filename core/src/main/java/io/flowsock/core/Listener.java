package io.flowsock.core;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * A bound server socket that accepts connections and hands each, as a {@link Channel}, to the
 * accept callback given to {@link Transport#listen}.
 *
 * <p><b>Threading.</b> All methods are safe from any thread. The accept callback runs on the port
 * thread the new connection is pinned to.
 *
 * <p><b>Lifecycle.</b> Accepts until {@link #close()}. Closing stops accepting; connections
 * already accepted are not touched.
 */
public interface Listener {
    /** The bound address, with the real port when port 0 was asked for. */
    InetSocketAddress address();

    /** (cap, accepts posted right now). */
    Tunable backlog();

    /** Changes the cap from the next re-post; the kernel listen queue keeps its size until rebind. */
    void backlog(int cap);

    /** Connections accepted so far. */
    long accepted();

    /**
     * Connections a watchdog closed: the peer sent nothing within firstByteTimeout, or stayed idle
     * past readIdleTimeout, or stopped reading past writeIdleTimeout (slow peers, slowloris).
     */
    long watchdogClosed();

    /** Stops accepting and closes the listening socket(s). Idempotent. */
    void close();

    /** Completes when every listening socket is closed. */
    CompletableFuture<Void> onClose();
}
