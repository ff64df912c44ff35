package io.flowsock.http;

import io.flowsock.core.Tls;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * An HTTP/1.1 server on flowsock's {@link TcpServer}: persistent connections, pipelining,
 * Content-Length and chunked bodies both ways, {@code Expect: 100-continue}, HEAD, and limits
 * answered with the right status.
 *
 * <pre>{@code
 * DisposableServer server = HttpServer.create()
 *         .port(8080)
 *         .handle((req, res) -> req.path().equals("/hello")
 *                 ? res.sendString("Hello, World!")
 *                 : res.send(req.receive()))                  // streamed echo
 *         .bindNow();
 * }</pre>
 *
 * <p>Requests are parsed by Jetty's {@code HttpParser} in its RFC 9110 mode: a request with both
 * Content-Length and Transfer-Encoding, differing Content-Lengths, obsolete line folding, a bare
 * CR, whitespace before a colon, an invalid header name or chunk size is answered 400 and the
 * connection closed. The request line, head size, header count, body size and the time a head may
 * take are limited (414, 431, 413, 408), as are a kept-alive connection's idle time and its number
 * of requests.
 *
 * <p><b>Threading.</b> Immutable: every call returns a new server and leaves this one as it was.
 * The handler runs on the connection's port thread and must not block.
 *
 * <p><b>Buffers.</b> As {@link HttpServerRequest} and {@link HttpServerResponse} say: received
 * buffers are the handler's for good; sent buffers are the connection's until the send ends.
 *
 * <p><b>Lifecycle.</b> {@link DisposableServer#dispose()} stops accepting, closes idle kept-alive
 * connections at once, lets each exchange in flight finish with {@code Connection: close} and
 * then closes its connection; {@code disposeNow(timeout)} closes what is left at the deadline.
 */
public final class HttpServer {
    private static final BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> NOT_FOUND =
            (req, res) -> res.sendNotFound();

    private final TcpServer tcp;
    private final HttpLimits limits;
    private final BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler;

    private HttpServer(TcpServer tcp, HttpLimits limits,
                       BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        this.tcp = tcp;
        this.limits = limits;
        this.handler = handler;
    }

    /**
     * A server on the wildcard address, port 0, answering 404 to everything until given a handler.
     * Its TCP settings are tuned for many short exchanges (sendcap 4, recvburst 1, TCP_NODELAY);
     * change them with {@link #tcp(UnaryOperator)}.
     */
    public static HttpServer create() {
        TcpServer tcp = TcpServer.create().sendCap(4).recvBurst(1)
                .option(java.net.StandardSocketOptions.TCP_NODELAY, true);
        return new HttpServer(tcp, HttpLimits.DEFAULTS, NOT_FOUND);
    }

    /** The address to bind: a literal or a host name. */
    public HttpServer host(String host) {
        return new HttpServer(tcp.host(host), limits, handler);
    }

    /** The port to bind, 0..65535; 0 picks a free one. */
    public HttpServer port(int port) {
        return new HttpServer(tcp.port(port), limits, handler);
    }

    /** https: TLS on every connection, e.g. {@code secure(Tls.server(chainPem, keyPem))}. */
    public HttpServer secure(Tls tls) {
        return new HttpServer(tcp.secure(tls), limits, handler);
    }

    /**
     * Changes the TCP server underneath: tunables, socket options, wiretap, metrics, transport.
     * Its handler and dispose hook are this server's own and are set after {@code configure} runs.
     */
    public HttpServer tcp(UnaryOperator<TcpServer> configure) {
        Objects.requireNonNull(configure, "configure");
        return new HttpServer(Objects.requireNonNull(configure.apply(tcp), "configure returned null"), limits, handler);
    }

    /** What answers each request; it runs until the returned Publisher ends. */
    public HttpServer handle(
            BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        return new HttpServer(tcp, limits, Objects.requireNonNull(handler, "handler"));
    }

    /** Longest request line, in bytes (414 beyond it). Default 8192. */
    public HttpServer maxRequestLineLength(int bytes) {
        return with(new HttpLimits(bytes, limits.maxHeaderSize(), limits.maxHeaders(), limits.maxBodySize(),
                limits.idleTimeout(), limits.headerTimeout(), limits.maxRequestsPerConnection(), limits.compression()));
    }

    /** Largest request head (request line and header fields), in bytes (431 beyond it). Default 16384. */
    public HttpServer maxHeaderSize(int bytes) {
        return with(new HttpLimits(limits.maxRequestLineLength(), bytes, limits.maxHeaders(), limits.maxBodySize(),
                limits.idleTimeout(), limits.headerTimeout(), limits.maxRequestsPerConnection(), limits.compression()));
    }

    /** Most header fields in one request (431 beyond it). Default 100. */
    public HttpServer maxHeaders(int count) {
        return with(new HttpLimits(limits.maxRequestLineLength(), limits.maxHeaderSize(), count, limits.maxBodySize(),
                limits.idleTimeout(), limits.headerTimeout(), limits.maxRequestsPerConnection(), limits.compression()));
    }

    /** Largest request body, in bytes (413 beyond it, or a failed body once streaming). Default unlimited. */
    public HttpServer maxBodySize(long bytes) {
        return with(new HttpLimits(limits.maxRequestLineLength(), limits.maxHeaderSize(), limits.maxHeaders(), bytes,
                limits.idleTimeout(), limits.headerTimeout(), limits.maxRequestsPerConnection(), limits.compression()));
    }

    /** How long a kept-alive connection may wait for its next request before it is closed. Default 60 s. */
    public HttpServer idleTimeout(Duration timeout) {
        return with(new HttpLimits(limits.maxRequestLineLength(), limits.maxHeaderSize(), limits.maxHeaders(),
                limits.maxBodySize(), timeout, limits.headerTimeout(), limits.maxRequestsPerConnection(), limits.compression()));
    }

    /** How long a request head may take from its first byte (408 and close beyond it). Default 20 s. */
    public HttpServer requestHeaderTimeout(Duration timeout) {
        return with(new HttpLimits(limits.maxRequestLineLength(), limits.maxHeaderSize(), limits.maxHeaders(),
                limits.maxBodySize(), limits.idleTimeout(), timeout, limits.maxRequestsPerConnection(), limits.compression()));
    }

    /** Requests served on one connection, the last with {@code Connection: close}; 0 is unlimited (default). */
    public HttpServer maxRequestsPerConnection(int count) {
        return with(new HttpLimits(limits.maxRequestLineLength(), limits.maxHeaderSize(), limits.maxHeaders(),
                limits.maxBodySize(), limits.idleTimeout(), limits.headerTimeout(), count, limits.compression()));
    }

    /**
     * Compresses responses with gzip as {@link HttpCompression#DEFAULTS} says (Spring Boot's
     * defaults: bodies of 2 KiB or more, text, JSON, XML and JavaScript), or not. Off by default.
     */
    public HttpServer compress(boolean compress) {
        return compressing(compress ? HttpCompression.DEFAULTS : null);
    }

    /** Compresses responses with gzip as {@code compression} says. */
    public HttpServer compress(HttpCompression compression) {
        return compressing(Objects.requireNonNull(compression, "compression"));
    }

    private HttpServer compressing(HttpCompression compression) {
        return with(new HttpLimits(limits.maxRequestLineLength(), limits.maxHeaderSize(), limits.maxHeaders(),
                limits.maxBodySize(), limits.idleTimeout(), limits.headerTimeout(), limits.maxRequestsPerConnection(),
                compression));
    }

    private HttpServer with(HttpLimits l) {
        return new HttpServer(tcp, l, handler);
    }

    /** Binds when subscribed; fails as {@link TcpServer#bind()} does. */
    public Mono<DisposableServer> bind() {
        return Mono.defer(() -> {
            RequestParsers.warmUp();   // here, not on the first connection's port thread: it reads jars
            ServerConnections all = new ServerConnections(limits);
            return tcp.handle(conn -> new ServerConnection(conn, handler, limits, all).serve())
                    .doOnDispose(all::shutdown)
                    .bind()
                    .doOnNext(server -> {
                        all.start();
                        server.onDispose().subscribe(null, e -> all.stop(), all::stop);
                    });
        });
    }

    /** Binds, blocking up to 45 seconds. */
    public DisposableServer bindNow() {
        return bindNow(Duration.ofSeconds(45));
    }

    /** Binds, blocking up to {@code timeout}; failures are rethrown as they are. */
    public DisposableServer bindNow(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        DisposableServer s = bind().block(timeout);
        if (s == null) {
            throw new IllegalStateException("bind completed without a server");
        }
        return s;
    }
}
