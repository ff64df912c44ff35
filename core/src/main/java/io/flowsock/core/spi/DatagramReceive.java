package io.flowsock.core.spi;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** The outcome of one posted datagram receive. Runs on the socket's port thread. */
public interface DatagramReceive {
    /**
     * {@code count} datagrams arrived: {@code data[i]} flipped for reading (the port's buffer, valid
     * only during this call), sent by {@code senders[i]}; {@code truncated[i]} when it was longer than
     * its buffer and its tail was lost.
     */
    void completed(ByteBuffer[] data, InetSocketAddress[] senders, boolean[] truncated, int count);

    /**
     * The receive failed; on a connected socket an ICMP port unreachable arrives here as a
     * {@link java.net.PortUnreachableException}.
     */
    void failed(Throwable error);
}
