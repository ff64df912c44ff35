package io.flowsock.core;

import java.net.InetSocketAddress;

/**
 * The connected peer of a datagram endpoint answered with ICMP port unreachable: nothing listens
 * on its port. The cause is the JDK's {@link java.net.PortUnreachableException} (or the backend's
 * {@code ECONNREFUSED}).
 */
public final class PeerUnreachableException extends DatagramException {
    private static final long serialVersionUID = 1L;

    public PeerUnreachableException(InetSocketAddress peer, Throwable cause) {
        super("port unreachable: nothing listens on " + peer + " (ICMP port unreachable)", peer, cause);
    }
}
