package io.flowsock.core;

import java.net.SocketAddress;
import java.time.Duration;

/** A connect did not complete within the configured connect timeout. */
public final class ConnectTimeoutException extends ConnectException {
    private static final long serialVersionUID = 1L;

    public ConnectTimeoutException(SocketAddress address, Duration timeout) {
        super(address, "connect to " + address + " timed out after " + timeout, null);
    }
}
