package io.flowsock.reactive;

import io.flowsock.core.Channel;
import io.flowsock.core.Tls;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.ConnectException;
import io.flowsock.core.Transport;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * Configures and opens TCP client connections.
 *
 * <pre>{@code
 * Connection conn = TcpClient.create().host("::1").port(port)
 *         .option(StandardSocketOptions.TCP_NODELAY, true)
 *         .connectNow();
 * }</pre>
 *
 * <p><b>Threading.</b> Immutable and safe to share: every call returns a new instance.
 *
 * <p><b>Lifecycle.</b> {@link #connect()} is lazy and opens one connection per subscription;
 * cancelling it before it completes closes the socket. The connection is the caller's to close.
 */
public final class TcpClient extends TcpSettings<TcpClient> {
    private final String host;
    private final int port;            // -1: not set
    private final Duration connectTimeout;
    private final Consumer<? super Connection> onConnected;

    private TcpClient(ChannelOptions channel, Transport transport, Taps taps, String host, int port, Duration connectTimeout,
                      Consumer<? super Connection> onConnected) {
        super(channel, transport, taps);
        this.host = host;
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.onConnected = onConnected;
    }

    /** A client for localhost with a 30 s connect timeout and default tunables; set the port. */
    public static TcpClient create() {
        return new TcpClient(ChannelOptions.DEFAULTS, null, Taps.NONE, "localhost", -1, Duration.ofSeconds(30), c -> { });
    }

    @Override
    TcpClient with(ChannelOptions channel, Transport transport, Taps taps) {
        return new TcpClient(channel, transport, taps, host, port, connectTimeout, onConnected);
    }

    /** The remote host: a literal address or a name, resolved without blocking the caller. */
    public TcpClient host(String host) {
        return new TcpClient(channel, transport, taps, Addresses.checkHost(host), port, connectTimeout, onConnected);
    }

    /** The remote port, 1..65535. */
    public TcpClient port(int port) {
        return new TcpClient(channel, transport, taps, host, Addresses.checkPort(port, 1), connectTimeout, onConnected);
    }

    /** Fails a connect that has not completed this long after it started; zero waits forever. */
    public TcpClient connectTimeout(Duration timeout) {
        return new TcpClient(channel, transport, taps, host, port, notNegative("connectTimeout", timeout), onConnected);
    }

    /**
     * Speaks TLS on every connection, e.g. {@code secure(Tls.client())}: the Mono emits the
     * connection once the handshake is done, and fails with {@link io.flowsock.core.TlsException}
     * (naming the peer and why) if it fails or times out. {@link Tls#NONE} turns it off again.
     */
    public TcpClient secure(Tls tls) {
        return secured(tls, true);
    }

    /** Called on the connection's port thread once it is connected, before the Mono emits it. */
    public TcpClient doOnConnected(Consumer<? super Connection> onConnected) {
        return new TcpClient(channel, transport, taps, host, port, connectTimeout,
                Objects.requireNonNull(onConnected, "onConnected"));
    }

    /**
     * Connects when subscribed. Fails with {@link io.flowsock.core.ConnectRefusedException},
     * {@link io.flowsock.core.ConnectTimeoutException} or {@link ConnectException}, each naming
     * the address.
     */
    public Mono<Connection> connect() {
        if (port < 0) {
            return Mono.error(new IllegalStateException("port is not set: call port(int) before connect()"));
        }
        Transport t = transportOrShared();
        ChannelOptions options = channelOptions();
        return Addresses.resolve(host, port)
                .onErrorMap(UnknownHostException.class,
                        e -> new ConnectException(InetSocketAddress.createUnresolved(host, port), e))
                .flatMap(address -> Mono.defer(() -> {
                    // Wrap the transport's own future: cancelling it is what closes a late socket.
                    CompletableFuture<Channel> connecting = t.connect(address, options, connectTimeout);
                    return Mono.fromFuture(connecting).flatMap(this::handshaken).map(this::connected);
                }))
                .doOnError(this::connectFailed)
                .doOnDiscard(ChannelConnection.class, ChannelConnection::dispose)
                .doOnDiscard(Channel.class, Channel::dispose);
    }

    /**
     * The channel once its TLS handshake is done (at once in plaintext). A connect cancelled during
     * the handshake closes its channel, which nobody else holds yet. The Mono waits on a copy of
     * the handshake's minimal stage (whose cancel() throws): cancelling the copy keeps the
     * handshake's end, a failure once the channel is closed, from reaching a cancelled subscriber.
     */
    private Mono<Channel> handshaken(Channel ch) {
        return Mono.fromFuture(ch.handshake().toCompletableFuture()).thenReturn(ch)
                .doOnError(e -> ch.dispose())
                .doOnCancel(ch::dispose);
    }

    /** A failed connect counts with the errors when metrics are on; the cast loads Micrometer only then. */
    private void connectFailed(Throwable error) {
        if (taps.metrics() != null) {
            ((TcpMetrics) taps.metrics()).connectFailed(error);
        }
    }

    private Connection connected(Channel ch) {
        ChannelConnection c = new ChannelConnection(ch, ChannelConnection.UNTRACKED);
        try {
            onConnected.accept(c);
        } catch (RuntimeException e) {
            ch.dispose();
            throw e;
        }
        return c;
    }

    /** Connects, blocking the caller up to the connect timeout plus 5 s; failures are rethrown. */
    public Connection connectNow() {
        return connectNow(connectTimeout.isZero() ? Duration.ofMinutes(5) : connectTimeout.plusSeconds(5));
    }

    /** Connects, blocking the caller up to {@code timeout}; failures are rethrown as they are. */
    public Connection connectNow(Duration timeout) {
        return blockFor(connect(), timeout, "connect");
    }
}
