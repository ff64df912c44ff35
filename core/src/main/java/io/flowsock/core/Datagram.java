package io.flowsock.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One UDP datagram: its bytes and the address at the other end (the sender of one received, the
 * recipient of one to send).
 *
 * <p><b>Buffers.</b> A received datagram's {@code data} is a right-sized heap buffer its receiver
 * owns for good. A datagram given to a send belongs to the endpoint until that send ends; it is
 * sent from its position to its limit, and the position is left where it was.
 *
 * @param data      the payload, from position to limit
 * @param address   the sender (received) or the recipient (to send); resolved
 * @param truncated whether the datagram was longer than the receiving endpoint's
 *                  {@link DatagramOptions#maxDatagramSize()} and lost its tail; always false for
 *                  one to send
 */
public record Datagram(ByteBuffer data, InetSocketAddress address, boolean truncated) {
    public Datagram {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address must be resolved, was " + address);
        }
    }

    /** A datagram to send to {@code address}. */
    public Datagram(ByteBuffer data, InetSocketAddress address) {
        this(data, address, false);
    }
}
