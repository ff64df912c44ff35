package io.flowsock.reactive;

import io.flowsock.core.ConnectException;
import io.flowsock.core.DatagramOptions;
import io.flowsock.core.Transport;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Configures a UDP socket connected to one peer: it sends only there and receives only from there.
 *
 * <pre>{@code
 * UdpConnection c = UdpClient.create().host("::1").port(9999).connectNow();
 * c.send(Mono.just(ByteBuffer.wrap(bytes))).block();
 * }</pre>
 *
 * <p><b>Threading.</b> Immutable and safe to share: every call returns a new instance. The
 * handler runs on the socket's port thread and must not block.
 *
 * <p><b>Lifecycle.</b> As {@link UdpServer}'s: the socket lives while its handler's Publisher
 * runs, or until disposed when there is none.
 */
public final class UdpClient extends UdpSettings<UdpClient> {
    private static final Function<UdpConnection, Publisher<Void>> NO_HANDLER = UdpConnection::onClose;

    private final String host;
    private final int port;
    private final Function<? super UdpConnection, ? extends Publisher<Void>> handler;

    private UdpClient(DatagramOptions options, Transport transport, Object metrics, String host, int port,
                      Function<? super UdpConnection, ? extends Publisher<Void>> handler) {
        super(options, transport, metrics);
        this.host = host;
        this.port = port;
        this.handler = handler;
    }

    /** A client of localhost; set the {@link #port(int)} to connect to. */
    public static UdpClient create() {
        return new UdpClient(DatagramOptions.DEFAULTS, null, null, "localhost", 0, NO_HANDLER);
    }

    @Override
    UdpClient with(DatagramOptions options, Transport transport, Object metrics) {
        return new UdpClient(options, transport, metrics, host, port, handler);
    }

    /** The peer's host: a literal or a name, resolved without blocking the caller. */
    public UdpClient host(String host) {
        return new UdpClient(options, transport, metrics, Addresses.checkHost(host), port, handler);
    }

    /** The peer's port, 1..65535. */
    public UdpClient port(int port) {
        return new UdpClient(options, transport, metrics, host, Addresses.checkPort(port, 1), handler);
    }

    /** What to do with the socket; it lives while the returned Publisher runs. */
    public UdpClient handle(Function<? super UdpConnection, ? extends Publisher<Void>> handler) {
        return new UdpClient(options, transport, metrics, host, port, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Binds a socket on the wildcard of the peer's family (a free port) and connects it when
     * subscribed. Fails with {@link ConnectException} naming the host when it cannot be resolved.
     */
    public Mono<UdpConnection> connect() {
        if (port == 0) {
            return Mono.error(new IllegalStateException("UdpClient needs a port to connect to: set port(int)"));
        }
        return Addresses.resolve(host, port)
                .onErrorMap(java.net.UnknownHostException.class,
                        e -> new ConnectException(InetSocketAddress.createUnresolved(host, port), e))
                .flatMap(remote -> Mono.defer(() -> Mono.fromFuture(transportOrShared().connectDatagram(
                        new InetSocketAddress(remote.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0", 0),
                        remote, options))))
                .map(e -> {
                    ConnectedUdp udp = new ConnectedUdp(e, (UdpMetrics) metrics);
                    udp.run(udp, handler);
                    return udp;
                });
    }

    /** Connects, blocking the caller up to 45 seconds; failures are rethrown as they are. */
    public UdpConnection connectNow() {
        return connectNow(Duration.ofSeconds(45));
    }

    /** Connects, blocking the caller up to {@code timeout}; failures are rethrown as they are. */
    public UdpConnection connectNow(Duration timeout) {
        return TcpSettings.blockFor(connect(), timeout, "connect");
    }
}
