package io.flowsock.core;

import java.net.SocketAddress;

/** The peer reset the connection (TCP RST), or the connection failed with an I/O error. */
public final class ConnectionResetException extends FlowsockException {
    private static final long serialVersionUID = 1L;
    private final transient SocketAddress remoteAddress;

    public ConnectionResetException(SocketAddress remoteAddress, Throwable cause) {
        super("connection with " + remoteAddress + " reset: " + BindException.describe(cause), cause);
        this.remoteAddress = remoteAddress;
    }

    /** The peer's address. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }
}
