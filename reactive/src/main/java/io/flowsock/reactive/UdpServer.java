package io.flowsock.reactive;

import io.flowsock.core.BindException;
import io.flowsock.core.DatagramOptions;
import io.flowsock.core.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Configures and binds a UDP socket that receives from anyone and sends anywhere.
 *
 * <pre>{@code
 * UdpEndpoint echo = UdpServer.create().host("0.0.0.0").port(9999)
 *         .recvBurst(32).sendCap(32)
 *         .handle(udp -> udp.send(udp.inbound()))     // each datagram back to its sender
 *         .bindNow();
 * }</pre>
 *
 * <p><b>Threading.</b> Immutable and safe to share: every call returns a new instance. The
 * handler runs on the socket's port thread and must not block.
 *
 * <p><b>Lifecycle.</b> The socket lives while its handler's Publisher runs: its end (completion
 * or error) closes the socket; a socket closed first cancels it. Without a handler it lives until
 * disposed. {@link #bind()} is lazy; {@link #bindNow()} blocks the caller until bound.
 */
public final class UdpServer extends UdpSettings<UdpServer> {
    private static final Function<UdpEndpoint, Publisher<Void>> NO_HANDLER = UdpEndpoint::onClose;

    private final String host;   // absent: the IPv4 wildcard
    private final int port;
    private final Function<? super UdpEndpoint, ? extends Publisher<Void>> handler;

    private UdpServer(DatagramOptions options, Transport transport, Object metrics, String host, int port,
                      Function<? super UdpEndpoint, ? extends Publisher<Void>> handler) {
        super(options, transport, metrics);
        this.host = host;
        this.port = port;
        this.handler = handler;
    }

    /** A socket on the IPv4 wildcard address, port 0 (any free port), default tunables. */
    public static UdpServer create() {
        return new UdpServer(DatagramOptions.DEFAULTS, null, null, null, 0, NO_HANDLER);
    }

    @Override
    UdpServer with(DatagramOptions options, Transport transport, Object metrics) {
        return new UdpServer(options, transport, metrics, host, port, handler);
    }

    /** The address to bind: a literal ("0.0.0.0", "::", "127.0.0.1", "::1") or a host name. */
    public UdpServer host(String host) {
        return new UdpServer(options, transport, metrics, Addresses.checkHost(host), port, handler);
    }

    /** The port to bind, 0..65535; 0 picks a free one, read back with {@link UdpEndpoint#localAddress()}. */
    public UdpServer port(int port) {
        return new UdpServer(options, transport, metrics, host, Addresses.checkPort(port), handler);
    }

    /** What to do with the socket; it lives while the returned Publisher runs. */
    public UdpServer handle(Function<? super UdpEndpoint, ? extends Publisher<Void>> handler) {
        return new UdpServer(options, transport, metrics, host, port, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Binds when subscribed. Fails with {@link BindException} naming the address when it is in use
     * or cannot be bound, or with an {@link IllegalArgumentException} naming a socket option the
     * platform refuses.
     */
    public Mono<UdpEndpoint> bind() {
        Mono<InetSocketAddress> address = host == null
                ? Mono.fromCallable(() -> new InetSocketAddress("0.0.0.0", port))
                : Addresses.resolve(host, port).onErrorMap(java.net.UnknownHostException.class,
                        e -> new BindException(InetSocketAddress.createUnresolved(host, port), e));
        return address.flatMap(a -> Mono.defer(() -> Mono.fromFuture(transportOrShared().openDatagram(a, options))))
                .map(e -> {
                    BoundUdpEndpoint udp = new BoundUdpEndpoint(e, (UdpMetrics) metrics);
                    udp.run(udp, handler);
                    return udp;
                });
    }

    /** Binds, blocking the caller up to 45 seconds; failures are rethrown as they are. */
    public UdpEndpoint bindNow() {
        return bindNow(Duration.ofSeconds(45));
    }

    /** Binds, blocking the caller up to {@code timeout}; failures are rethrown as they are. */
    public UdpEndpoint bindNow(Duration timeout) {
        return TcpSettings.blockFor(bind(), timeout, "bind");
    }
}
