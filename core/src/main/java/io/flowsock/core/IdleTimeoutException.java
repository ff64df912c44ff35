package io.flowsock.core;

import java.net.SocketAddress;
import java.time.Duration;

/**
 * A watchdog closed the connection: no first byte, no read progress or no write progress within
 * the configured time. {@link #timeout()} names which setting fired.
 */
public final class IdleTimeoutException extends FlowsockException {
    private static final long serialVersionUID = 1L;
    private final transient SocketAddress remoteAddress;
    private final String timeout;

    public IdleTimeoutException(SocketAddress remoteAddress, String timeout, Duration after) {
        super(timeout + " of " + after + " expired for connection with " + remoteAddress);
        this.remoteAddress = remoteAddress;
        this.timeout = timeout;
    }

    /** The name of the setting that fired: firstByteTimeout, readIdleTimeout or writeIdleTimeout. */
    public String timeout() {
        return timeout;
    }

    public SocketAddress remoteAddress() {
        return remoteAddress;
    }
}
