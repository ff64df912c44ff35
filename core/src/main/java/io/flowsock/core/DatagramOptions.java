package io.flowsock.core;

import io.flowsock.core.internal.Checks;
import java.net.SocketOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Per-endpoint settings of a datagram (UDP) socket: the two tunables, the largest datagram
 * delivered whole, and the socket options. Immutable; every {@code withXxx} returns a copy and
 * checks its argument in the call.
 *
 * @param sendCap         datagrams in flight outbound (requested from the producer and not yet
 *                        handed to the kernel), >= 1
 * @param recvBurst       cap of Automatic Burst Detection: datagrams one receive may take, >= 1;
 *                        1 turns ABD off
 * @param maxDatagramSize the longest payload delivered whole, 1..65527; a longer one is cut to it,
 *                        flagged {@link Datagram#truncated()} and counted
 * @param socketOptions   options applied to the socket before it is bound, with the JDK's keys
 *                        ({@code SO_REUSEADDR}, {@code SO_BROADCAST}, {@code IP_MULTICAST_IF}, ...)
 */
public record DatagramOptions(int sendCap, int recvBurst, int maxDatagramSize,
                              Map<SocketOption<?>, Object> socketOptions) {
    /** The largest UDP payload over IPv6 (65,535 less the 8-byte UDP header). */
    public static final int MAX_IPV6_PAYLOAD = 65_527;
    /** The largest UDP payload over IPv4 (65,535 less the 20-byte IP and 8-byte UDP headers). */
    public static final int MAX_IPV4_PAYLOAD = 65_507;

    /** sendCap 16, recvBurst 16, maxDatagramSize 65,527, no socket options. */
    public static final DatagramOptions DEFAULTS = new DatagramOptions(16, 16, MAX_IPV6_PAYLOAD, Map.of());

    public DatagramOptions {
        Checks.positive("sendCap", sendCap);
        Checks.positive("recvBurst", recvBurst);
        if (maxDatagramSize < 1 || maxDatagramSize > MAX_IPV6_PAYLOAD) {
            throw new IllegalArgumentException("maxDatagramSize must be in 1.." + MAX_IPV6_PAYLOAD + ", was "
                    + maxDatagramSize);
        }
        Objects.requireNonNull(socketOptions, "socketOptions");
        socketOptions = Collections.unmodifiableMap(new LinkedHashMap<>(socketOptions));
    }

    public DatagramOptions withSendCap(int sendCap) {
        return new DatagramOptions(sendCap, recvBurst, maxDatagramSize, socketOptions);
    }

    public DatagramOptions withRecvBurst(int recvBurst) {
        return new DatagramOptions(sendCap, recvBurst, maxDatagramSize, socketOptions);
    }

    public DatagramOptions withMaxDatagramSize(int maxDatagramSize) {
        return new DatagramOptions(sendCap, recvBurst, maxDatagramSize, socketOptions);
    }

    /** A copy with {@code option} set to {@code value}; the value's type is checked here. */
    public <T> DatagramOptions withOption(SocketOption<T> option, T value) {
        Map<SocketOption<?>, Object> copy = new LinkedHashMap<>(socketOptions);
        copy.put(Objects.requireNonNull(option, "option"), ChannelOptions.checkedOptionValue(option, value));
        return new DatagramOptions(sendCap, recvBurst, maxDatagramSize, copy);
    }
}
