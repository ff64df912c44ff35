package io.flowsock.http;

import io.flowsock.reactive.Connection;
import java.nio.ByteBuffer;

/**
 * What a {@link WebSocketSession} needs of the connection it runs on, and its serial loop: the
 * server's {@link ServerConnection} after a 101, the client's {@link WebSocketClientConnection}.
 * Every method but {@link #drain()} runs in that loop.
 */
interface WebSocketHost {
    Connection connection();

    /** The input read and not yet consumed; the session consumes it. */
    ByteBuffer pending();

    /** Asks for one more buffer of input, unless one is asked for or the input ended. */
    void requestMore();

    boolean atEof();

    /** Whether the server is shutting down: the WebSocket closes with 1001. */
    boolean shuttingDown();

    /** When the current wait ends (System.nanoTime), Long.MAX_VALUE for none; the host runs its loop then. */
    long deadline();

    void deadline(long nanos);

    /** Closes the TCP connection gracefully (what is queued, then FIN). */
    void close();

    /** Closes the TCP connection at once. */
    void abort();

    /** Runs the loop (any thread). */
    void drain();
}
