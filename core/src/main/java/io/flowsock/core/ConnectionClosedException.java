package io.flowsock.core;

import java.net.SocketAddress;

/**
 * An operation could not complete because the connection was closed locally first, or because its
 * output side was already shut down.
 */
public final class ConnectionClosedException extends FlowsockException {
    private static final long serialVersionUID = 1L;
    private final transient SocketAddress remoteAddress;

    public ConnectionClosedException(SocketAddress remoteAddress, String what) {
        super(what + " (connection with " + remoteAddress + ")");
        this.remoteAddress = remoteAddress;
    }

    /** The peer's address. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }
}
