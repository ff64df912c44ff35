package io.flowsock.core;

import java.net.SocketAddress;

/** Nothing listens at the remote address: the peer answered the connect with a reset. */
public final class ConnectRefusedException extends ConnectException {
    private static final long serialVersionUID = 1L;

    public ConnectRefusedException(SocketAddress address, Throwable cause) {
        super(address, "connection refused by " + address, cause);
    }
}
