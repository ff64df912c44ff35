package io.flowsock.core;

import java.net.SocketAddress;
import java.util.Objects;

/** A client connect failed. Subclasses say whether it was refused or timed out. */
public class ConnectException extends FlowsockException {
    private static final long serialVersionUID = 1L;
    private final transient SocketAddress address;

    public ConnectException(SocketAddress address, String message, Throwable cause) {
        super(message, cause);
        this.address = Objects.requireNonNull(address, "address");
    }

    public ConnectException(SocketAddress address, Throwable cause) {
        this(address, "cannot connect to " + address + ": " + BindException.describe(cause), cause);
    }

    /** The remote address the client tried to reach. */
    public SocketAddress address() {
        return address;
    }
}
