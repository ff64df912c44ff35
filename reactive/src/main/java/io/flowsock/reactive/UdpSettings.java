package io.flowsock.reactive;

import io.flowsock.core.DatagramOptions;
import io.flowsock.core.Transport;
import java.net.SocketOption;
import java.util.Objects;

/**
 * What {@link UdpServer} and {@link UdpClient} configure alike: the tunables, the receive limit,
 * socket options, the metrics and the transport. Immutable: every call returns a new instance and
 * checks its argument in the call.
 *
 * @param <T> the concrete builder
 */
public abstract sealed class UdpSettings<T extends UdpSettings<T>> permits UdpServer, UdpClient {
    final DatagramOptions options;
    final Transport transport;    // absent: the shared transport, looked up at bind/connect time
    final Object metrics;         // a UdpMetrics, or null: off (Object, so Micrometer stays unloaded)

    UdpSettings(DatagramOptions options, Transport transport, Object metrics) {
        this.options = options;
        this.transport = transport;
        this.metrics = metrics;
    }

    abstract T with(DatagramOptions options, Transport transport, Object metrics);

    /** Cap on datagrams in flight outbound (requested and not yet handed to the kernel), >= 1. Default 16. */
    public T sendCap(int sendCap) {
        return with(options.withSendCap(sendCap), transport, metrics);
    }

    /**
     * Cap of Automatic Burst Detection: datagrams one receive may take, >= 1; 1 is one datagram
     * per receive. Never more than the subscriber asked for. Default 16.
     */
    public T recvBurst(int recvBurst) {
        return with(options.withRecvBurst(recvBurst), transport, metrics);
    }

    /**
     * The longest payload delivered whole, 1..65527 (the default); a longer datagram arrives cut
     * to it, flagged {@link io.flowsock.core.Datagram#truncated()} and counted by
     * {@link UdpSocket#truncated()}.
     */
    public T maxDatagramSize(int maxDatagramSize) {
        return with(options.withMaxDatagramSize(maxDatagramSize), transport, metrics);
    }

    /**
     * Sets a socket option with the JDK's own keys, applied before the socket is bound, e.g.
     * {@code option(StandardSocketOptions.SO_BROADCAST, true)} or {@code IP_MULTICAST_IF},
     * {@code IP_MULTICAST_TTL}, {@code IP_MULTICAST_LOOP}, {@code SO_RCVBUF}, {@code SO_REUSEADDR},
     * {@code IP_TOS}. The value's type is checked here, the platform's support at bind/connect.
     */
    public <V> T option(SocketOption<V> option, V value) {
        return with(options.withOption(option, value), transport, metrics);
    }

    /**
     * Records datagrams received and sent, truncations and kernel drops into {@code registry}
     * under {@code flowsock.udp.server.} or {@code flowsock.udp.client.} (docs/udp.md lists them).
     */
    public T metrics(io.micrometer.core.instrument.MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return with(options, transport, UdpMetrics.of(registry, this instanceof UdpServer));
    }

    /** The backend to run on; default {@link Transport#shared()}. */
    public T transport(Transport transport) {
        return with(options, Objects.requireNonNull(transport, "transport"), metrics);
    }

    Transport transportOrShared() {
        return transport != null ? transport : Transport.shared();
    }

    /** The per-socket settings as configured. */
    public DatagramOptions datagramOptions() {
        return options;
    }
}
