package io.flowsock.core;

import java.net.InetSocketAddress;

/**
 * A datagram is longer than UDP can carry (65,507 bytes over IPv4, 65,527 over IPv6) or than the
 * kernel takes on this path ({@code EMSGSIZE}). Fails the send it was part of.
 */
public final class DatagramTooLargeException extends DatagramException {
    private static final long serialVersionUID = 1L;
    private final int size;
    private final int limit;

    /** @param limit the largest size allowed, or -1 when the kernel refused without saying */
    public DatagramTooLargeException(int size, int limit, InetSocketAddress recipient, Throwable cause) {
        super("datagram of " + size + " bytes to " + recipient + " is too large: "
                + (limit >= 0 ? "the limit is " + limit + " bytes" : "the kernel refused it (EMSGSIZE)"),
                recipient, cause);
        this.size = size;
        this.limit = limit;
    }

    /** The datagram's length in bytes. */
    public int size() {
        return size;
    }

    /** The largest length allowed, or -1 when the kernel refused it without saying. */
    public int limit() {
        return limit;
    }
}
