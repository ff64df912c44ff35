package io.flowsock.core;

import java.net.SocketAddress;
import java.util.Objects;

/** A server could not bind its listening socket, most often because the address is in use. */
public final class BindException extends FlowsockException {
    private static final long serialVersionUID = 1L;
    private final transient SocketAddress address;

    public BindException(SocketAddress address, Throwable cause) {
        super("cannot bind " + address + ": " + describe(cause), cause);
        this.address = Objects.requireNonNull(address, "address");
    }

    /** The address the server tried to bind. */
    public SocketAddress address() {
        return address;
    }

    static String describe(Throwable cause) {
        return cause == null ? "unknown cause" : cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
