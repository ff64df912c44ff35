package io.flowsock.reactive;

import io.flowsock.core.BindException;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Tls;
import io.flowsock.core.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Configures and binds a TCP server.
 *
 * <pre>{@code
 * DisposableServer server = TcpServer.create()
 *         .host("::").port(0)                    // IPv4 and IPv6
 *         .backlog(500).sendCap(1).recvBurst(1)  // copied to every accepted connection
 *         .handle(conn -> conn.send(conn.inbound()))   // echo
 *         .bindNow();
 * }</pre>
 *
 * <p><b>Threading.</b> Immutable and safe to share: every call returns a new instance. The
 * handler runs on the accepted connection's port thread and must not block.
 *
 * <p><b>Lifecycle.</b> A connection lives while its handler's Publisher runs: completion closes
 * it gracefully, an error closes it abortively. When the connection closes first (the peer, a
 * watchdog, a dispose), the handler's subscription is cancelled. {@link #bind()} is lazy; {@link #bindNow()}
 * blocks the caller until bound.
 */
public final class TcpServer extends TcpSettings<TcpServer> {
    private static final Function<Connection, Publisher<Void>> NO_HANDLER = Connection::onClose;

    private final String host;     // absent: the wildcard address
    private final int port;
    private final ListenOptions listen;
    private final Function<? super Connection, ? extends Publisher<Void>> handler;
    private final Consumer<? super Connection> onConnection;
    private final Consumer<? super DisposableServer> onBound;
    private final Consumer<? super DisposableServer> onUnbound;
    private final Consumer<? super Connection> onDispose;   // null: a graceful close of each connection

    private TcpServer(ChannelOptions channel, Transport transport, Taps taps, String host, int port, ListenOptions listen,
                      Function<? super Connection, ? extends Publisher<Void>> handler,
                      Consumer<? super Connection> onConnection, Consumer<? super DisposableServer> onBound,
                      Consumer<? super DisposableServer> onUnbound, Consumer<? super Connection> onDispose) {
        super(channel, transport, taps);
        this.host = host;
        this.port = port;
        this.listen = listen;
        this.handler = handler;
        this.onConnection = onConnection;
        this.onBound = onBound;
        this.onUnbound = onUnbound;
        this.onDispose = onDispose;
    }

    /** A server on the wildcard address, port 0 (any free port), backlog 1024, default tunables. */
    public static TcpServer create() {
        return new TcpServer(ChannelOptions.DEFAULTS, null, Taps.NONE, null, 0, ListenOptions.DEFAULTS, NO_HANDLER,
                c -> { }, s -> { }, s -> { }, null);
    }

    @Override
    TcpServer with(ChannelOptions channel, Transport transport, Taps taps) {
        return new TcpServer(channel, transport, taps, host, port, listen, handler, onConnection, onBound, onUnbound,
                onDispose);
    }

    /** The address to bind: a literal ("::", "0.0.0.0", "127.0.0.1", "::1") or a host name. */
    public TcpServer host(String host) {
        return new TcpServer(channel, transport, taps, Addresses.checkHost(host), port, listen, handler, onConnection,
                onBound, onUnbound, onDispose);
    }

    /** The port to bind, 0..65535; 0 picks a free one, read back with {@link DisposableServer#port()}. */
    public TcpServer port(int port) {
        return new TcpServer(channel, transport, taps, host, Addresses.checkPort(port), listen, handler, onConnection,
                onBound, onUnbound, onDispose);
    }

    /** IOCPSOCK's accept pool: accepts kept posted plus the kernel listen queue, >= 1. Default 1024. */
    public TcpServer backlog(int backlog) {
        return new TcpServer(channel, transport, taps, host, port, listen.withBacklog(backlog), handler, onConnection,
                onBound, onUnbound, onDispose);
    }

    /**
     * Closes an accepted connection that sends nothing this long after it was accepted, and counts
     * it ({@link DisposableServer#watchdogClosed()}). Default 2 minutes; zero disables.
     */
    public TcpServer firstByteTimeout(Duration timeout) {
        return with(channel.withFirstByteTimeout(timeout), transport);
    }

    /** Lets other sockets bind the same port with SO_REUSEPORT (load sharing across processes). */
    public TcpServer reusePort(boolean reusePort) {
        return new TcpServer(channel, transport, taps, host, port, listen.withReusePort(reusePort), handler,
                onConnection, onBound, onUnbound, onDispose);
    }

    /**
     * Speaks TLS on every accepted connection, e.g. {@code secure(Tls.server(sslContext))}: the
     * handler runs once the handshake is done, so {@link Connection#tlsSession()} reports what was
     * negotiated; a connection whose handshake fails or times out is closed with a
     * {@link io.flowsock.core.TlsException} and never reaches the handler. {@link Tls#NONE} turns
     * it off again.
     */
    public TcpServer secure(Tls tls) {
        return secured(tls, false);
    }

    /** What to do with each connection; it lives while the returned Publisher runs. */
    public TcpServer handle(Function<? super Connection, ? extends Publisher<Void>> handler) {
        return new TcpServer(channel, transport, taps, host, port, listen, Objects.requireNonNull(handler, "handler"),
                onConnection, onBound, onUnbound, onDispose);
    }

    /** Called on the port thread for each accepted connection, before the handler. */
    public TcpServer doOnConnection(Consumer<? super Connection> onConnection) {
        return new TcpServer(channel, transport, taps, host, port, listen, handler,
                Objects.requireNonNull(onConnection, "onConnection"), onBound, onUnbound, onDispose);
    }

    /** Called once the server is bound. */
    public TcpServer doOnBound(Consumer<? super DisposableServer> onBound) {
        return new TcpServer(channel, transport, taps, host, port, listen, handler, onConnection,
                Objects.requireNonNull(onBound, "onBound"), onUnbound, onDispose);
    }

    /** Called once the server is unbound, after every connection closed. */
    public TcpServer doOnUnbound(Consumer<? super DisposableServer> onUnbound) {
        return new TcpServer(channel, transport, taps, host, port, listen, handler, onConnection, onBound,
                Objects.requireNonNull(onUnbound, "onUnbound"), onDispose);
    }

    /**
     * What disposing the server does to each open connection, once the listener is closed: by
     * default a graceful {@link Connection#close()}. A protocol on top replaces it to finish what is
     * in flight first (an HTTP server ends its current exchange and closes idle connections at
     * once); the connection is still closed at once when {@link DisposableServer#disposeNow(Duration)}'s
     * deadline passes. Called on the disposing thread; it must not block.
     */
    public TcpServer doOnDispose(Consumer<? super Connection> onDispose) {
        return new TcpServer(channel, transport, taps, host, port, listen, handler, onConnection, onBound, onUnbound,
                Objects.requireNonNull(onDispose, "onDispose"));
    }

    /**
     * Binds when subscribed. Fails with {@link BindException} naming the address when it is in use
     * or cannot be bound, or with an {@link IllegalArgumentException} naming a socket option the
     * platform refuses.
     */
    public Mono<DisposableServer> bind() {
        Mono<InetSocketAddress> address = host == null
                ? Mono.fromCallable(() -> new InetSocketAddress(port))
                : Addresses.resolve(host, port).onErrorMap(java.net.UnknownHostException.class,
                        e -> new BindException(InetSocketAddress.createUnresolved(host, port), e));
        return address.map(this::bindNowTo);
    }

    private DisposableServer bindNowTo(InetSocketAddress address) {
        BoundServer server = new BoundServer(handler, onConnection, onUnbound, onDispose);
        Listener l = transportOrShared().listen(address, listen.withChild(channelOptions()), server::accepted);
        server.listener(l);
        onBound.accept(server);
        return server;
    }

    /** Binds, blocking the caller up to 45 seconds; failures are rethrown as they are. */
    public DisposableServer bindNow() {
        return bindNow(Duration.ofSeconds(45));
    }

    /** Binds, blocking the caller up to {@code timeout}; failures are rethrown as they are. */
    public DisposableServer bindNow(Duration timeout) {
        return blockFor(bind(), timeout, "bind");
    }

    /** The listening options as configured (backlog and the settings copied to each connection). */
    public ListenOptions listenOptions() {
        return listen.withChild(channelOptions());
    }
}
