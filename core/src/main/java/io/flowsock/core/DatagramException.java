package io.flowsock.core;

import java.net.InetSocketAddress;

/** A datagram could not be sent or received; carries the address it concerns. */
public class DatagramException extends FlowsockException {
    private static final long serialVersionUID = 1L;
    private final transient InetSocketAddress address;

    public DatagramException(String message, InetSocketAddress address, Throwable cause) {
        super(message, cause);
        this.address = address;
    }

    /** The address concerned: the recipient of a send, the peer of a connected endpoint, or the local address. */
    public InetSocketAddress address() {
        return address;
    }
}
