package io.flowsock.http;

import io.flowsock.core.Tls;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.TcpClient;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * An HTTP/1.1 client on flowsock's {@link TcpClient}, with a pool of kept-alive connections per
 * origin (scheme, host and port).
 *
 * <pre>{@code
 * HttpClient client = HttpClient.create().baseUrl("http://localhost:8080")
 *         .responseTimeout(Duration.ofSeconds(5));
 * Mono<String> hello = client.get().uri("/hello").responseString();
 * Mono<Integer> status = client.post().uri("/echo")
 *         .send(Flux.just(ByteBuffer.wrap(bytes)))                    // streamed: chunked
 *         .responseSingle((res, body) -> body.thenReturn(res.status()));
 * client.dispose();                                                   // closes its pools
 * }</pre>
 *
 * <p>Responses are parsed by Jetty's {@code HttpParser} in response mode: Content-Length,
 * chunked (trailers read and dropped) and close-delimited bodies, HEAD, interim 1xx responses
 * skipped, 204 and 304 without a body. A request body that is a {@link Mono} goes with
 * Content-Length, any other {@code Publisher} chunked, unless the request sets Content-Length.
 *
 * <p><b>Threading.</b> Immutable: every call returns a new client and leaves this one as it was.
 * A client made by a call that changes how connections are made (TCP or TLS settings, connect
 * timeout, pool limits) has pools of its own; the others share this client's. Response signals
 * arrive on the connection's port thread, or on the thread that requested; never block in them.
 *
 * <p><b>Buffers.</b> A response body's buffers are the subscriber's for good; a request body's
 * belong to the connection until its request is written.
 *
 * <p><b>Lifecycle.</b> Connections open on demand and go back to their pool when a response is
 * read whole and neither side said {@code Connection: close}; a response whose body is cancelled
 * or left unread closes its connection instead. {@link #dispose()} closes the idle connections,
 * fails the requests that wait for one, and closes each busy one when its exchange ends.
 */
public final class HttpClient implements Disposable {
    /** Redirects followed in a row, when following is on, before the request fails. */
    public static final int MAX_REDIRECTS = 10;

    /** What the pools hold: connections open (idle, busy or connecting), idle ones, and acquires waiting. */
    public record PoolStats(int open, int idle, int pending) { }

    private static final Consumer<HttpHeaders> NO_HEADERS = h -> { };

    static {
        // Jetty's parser reads service files when its class initialises: here, on the thread that
        // first makes a client, rather than on the port thread of the first connection
        RequestParsers.warmUp();
    }

    final TcpClient tcp;
    final Tls tls;
    private final String baseUrl;        // "" when none
    final Duration connectTimeout;
    final Duration responseTimeout;
    final boolean followRedirects;
    final Consumer<HttpHeaders> headers;
    final PoolSettings pool;
    private final Pools pools;

    private HttpClient(TcpClient tcp, Tls tls, String baseUrl, Duration connectTimeout, Duration responseTimeout,
                       boolean followRedirects, Consumer<HttpHeaders> headers, PoolSettings pool, Pools pools) {
        this.tcp = tcp;
        this.tls = tls;
        this.baseUrl = baseUrl;
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
        this.followRedirects = followRedirects;
        this.headers = headers;
        this.pool = pool;
        this.pools = pools;
    }

    /**
     * A client with no base URL, a 30 s connect timeout, no response timeout, redirects not
     * followed, and pools of {@code max(16, 2 × cores)} connections per origin with twice that
     * many requests allowed to wait up to 45 s, idle connections closed after 30 s. Its TCP settings suit
     * request and response: sendcap 4, recvburst 1, TCP_NODELAY.
     */
    public static HttpClient create() {
        TcpClient tcp = TcpClient.create().sendCap(4).recvBurst(1).option(StandardSocketOptions.TCP_NODELAY, true);
        return new HttpClient(tcp, Tls.NONE, "", Duration.ofSeconds(30), Duration.ZERO, false, NO_HEADERS,
                PoolSettings.DEFAULTS, new Pools());
    }

    private HttpClient connecting(TcpClient tcp, Tls tls, Duration connectTimeout, PoolSettings pool) {
        return new HttpClient(tcp, tls, baseUrl, connectTimeout, responseTimeout, followRedirects, headers, pool,
                new Pools());
    }

    /**
     * What a relative request URI is appended to, e.g. {@code "http://localhost:8080/api"}: then
     * {@code uri("/users")} asks for {@code /api/users}. An absolute request URI ignores it.
     */
    public HttpClient baseUrl(String baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        checkAbsolute(URI.create(baseUrl), "baseUrl");
        return new HttpClient(tcp, tls, baseUrl, connectTimeout, responseTimeout, followRedirects, headers, pool, pools);
    }

    /** Changes the TCP client underneath: transport, tunables, socket options, wiretap, metrics. */
    public HttpClient tcp(UnaryOperator<TcpClient> configure) {
        TcpClient t = Objects.requireNonNull(configure, "configure").apply(tcp);
        return connecting(Objects.requireNonNull(t, "what configure returned"), tls, connectTimeout, pool);
    }

    /**
     * TLS for every request, {@code http://} URIs included: e.g. {@code secure(Tls.client(caPem))}.
     * Without it, {@code https://} URIs use {@link Tls#client()}, the JDK's trust store, with the
     * certificate's host name checked against the URI's host. {@link Tls#NONE} turns it off again.
     */
    public HttpClient secure(Tls tls) {
        Objects.requireNonNull(tls, "tls");
        if (tls.enabled() && !tls.isClient()) {
            throw new IllegalArgumentException("secure needs a client's TLS (Tls.client(...)), was " + tls);
        }
        return connecting(tcp, tls, connectTimeout, pool);
    }

    /** Fails a connect that takes longer; zero waits forever. */
    public HttpClient connectTimeout(Duration timeout) {
        return connecting(tcp, tls, notNegative("connectTimeout", timeout), pool);
    }

    /**
     * Fails a request whose response head has not arrived this long after the request started on
     * its connection, with an {@link HttpClientException} of kind {@code RESPONSE_TIMEOUT} naming
     * the URI and the timeout; the connection is closed. Zero (the default) waits forever.
     */
    public HttpClient responseTimeout(Duration timeout) {
        return new HttpClient(tcp, tls, baseUrl, connectTimeout, notNegative("responseTimeout", timeout),
                followRedirects, headers, pool, pools);
    }

    /** Follows 301, 302, 303, 307 and 308 (at most {@link #MAX_REDIRECTS} in a row); off by default. */
    public HttpClient followRedirects(boolean follow) {
        return new HttpClient(tcp, tls, baseUrl, connectTimeout, responseTimeout, follow, headers, pool, pools);
    }

    /** Header fields every request starts with, before its own; calls add up in order. */
    public HttpClient headers(Consumer<HttpHeaders> defaults) {
        Objects.requireNonNull(defaults, "defaults");
        Consumer<HttpHeaders> all = headers == NO_HEADERS ? defaults : headers.andThen(defaults);
        return new HttpClient(tcp, tls, baseUrl, connectTimeout, responseTimeout, followRedirects, all, pool, pools);
    }

    /** Connections open at once per origin, at least 1. */
    public HttpClient maxConnections(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1, was " + max);
        }
        return connecting(tcp, tls, connectTimeout,
                new PoolSettings(max, pool.pendingAcquireMax(), pool.pendingAcquireTimeout(), pool.idleTimeout(),
                        pool.maxLifetime()));
    }

    /**
     * Requests that may wait for a busy origin's connection; one more fails at once with an
     * {@link HttpClientException} of kind {@code PENDING_ACQUIRE_LIMIT}. Zero: none waits.
     */
    public HttpClient pendingAcquireMax(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("pendingAcquireMax must be >= 0, was " + max);
        }
        return connecting(tcp, tls, connectTimeout,
                new PoolSettings(pool.maxConnections(), max, pool.pendingAcquireTimeout(), pool.idleTimeout(),
                        pool.maxLifetime()));
    }

    /**
     * How long a request may wait for a busy origin's connection (45 s by default) before it fails
     * with an {@link HttpClientException} of kind {@code PENDING_ACQUIRE_TIMEOUT}; zero waits forever.
     */
    public HttpClient pendingAcquireTimeout(Duration timeout) {
        return connecting(tcp, tls, connectTimeout, new PoolSettings(pool.maxConnections(), pool.pendingAcquireMax(),
                notNegative("pendingAcquireTimeout", timeout), pool.idleTimeout(), pool.maxLifetime()));
    }

    /** Closes a pooled connection idle this long; zero keeps it until the server closes it. */
    public HttpClient idleTimeout(Duration timeout) {
        return connecting(tcp, tls, connectTimeout, new PoolSettings(pool.maxConnections(), pool.pendingAcquireMax(),
                pool.pendingAcquireTimeout(), notNegative("idleTimeout", timeout), pool.maxLifetime()));
    }

    /** A connection this old is closed instead of reused; zero (the default): no limit. */
    public HttpClient maxLifetime(Duration lifetime) {
        return connecting(tcp, tls, connectTimeout, new PoolSettings(pool.maxConnections(), pool.pendingAcquireMax(),
                pool.pendingAcquireTimeout(), pool.idleTimeout(), notNegative("maxLifetime", lifetime)));
    }

    public HttpClientRequest get() {
        return request("GET");
    }

    public HttpClientRequest head() {
        return request("HEAD");
    }

    public HttpClientRequest post() {
        return request("POST");
    }

    public HttpClientRequest put() {
        return request("PUT");
    }

    public HttpClientRequest patch() {
        return request("PATCH");
    }

    public HttpClientRequest delete() {
        return request("DELETE");
    }

    public HttpClientRequest options() {
        return request("OPTIONS");
    }

    /**
     * A WebSocket (RFC 6455) to open: {@code client.websocket().uri("ws://host/path").handle(ws -> ...)}.
     * Each one has a TCP connection of its own, outside the pools, made with this client's TCP
     * settings, TLS and connect timeout; its handshake answer is awaited for the response timeout.
     * {@link #dispose()} closes those still open with 1001.
     */
    public HttpClientWebSocket websocket() {
        return new HttpClientWebSocket(this);
    }

    /** A request with any method, an RFC 9110 token such as {@code "PROPFIND"}. */
    public HttpClientRequest request(String method) {
        Objects.requireNonNull(method, "method");
        if (method.isEmpty() || !method.chars().allMatch(ch -> HttpHeaders.isTokenChar((char) ch))) {
            throw new IllegalArgumentException("method must be an RFC 9110 token, was \"" + method + "\"");
        }
        return new HttpClientRequest(this, method.toUpperCase(Locale.ROOT));
    }

    /** The base URL, if one is set. */
    public Optional<String> baseUrl() {
        return baseUrl.isEmpty() ? Optional.empty() : Optional.of(baseUrl);
    }

    /** What the pools of this client hold right now, summed over origins. */
    public PoolStats poolStats() {
        int open = 0;
        int idle = 0;
        int pending = 0;
        for (ClientPool p : pools.byOrigin.values()) {
            PoolStats s = p.stats();
            open += s.open();
            idle += s.idle();
            pending += s.pending();
        }
        return new PoolStats(open, idle, pending);
    }

    /**
     * Closes this client's pools: idle connections at once, busy ones when their exchange ends;
     * requests waiting for a connection, and any made later, fail with {@code CLIENT_DISPOSED}.
     */
    @Override
    public void dispose() {
        pools.disposed = true;
        pools.byOrigin.values().forEach(ClientPool::dispose);
        pools.webSockets.forEach(WebSocketClientConnection::clientDisposed);   // each closes with 1001
    }

    /** A WebSocket of this client's, open until its connection closes: dispose closes it with 1001. */
    void track(WebSocketClientConnection ws, Connection conn) {
        pools.webSockets.add(ws);
        conn.onClose().subscribe(null, e -> pools.webSockets.remove(ws), () -> pools.webSockets.remove(ws));
        if (pools.disposed) {
            ws.clientDisposed();   // disposed while this one was connecting
        }
    }

    @Override
    public boolean isDisposed() {
        return pools.disposed;
    }

    /** The request URI: {@code uri} itself when absolute, else appended to the base URL. */
    private static URI parse(String uri) {
        try {
            return new URI(uri);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("uri \"" + uri + "\" is not a URI: " + e.getReason() + " at index "
                    + e.getIndex(), e);
        }
    }

    URI resolve(String uri) {
        Objects.requireNonNull(uri, "uri");
        URI u = parse(uri);
        if (!u.isAbsolute()) {
            if (baseUrl.isEmpty()) {
                throw new IllegalArgumentException("uri \"" + uri + "\" is relative and the client has no baseUrl");
            }
            String base = baseUrl.endsWith("/") && uri.startsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1)
                    : baseUrl;
            u = URI.create(base + (uri.isEmpty() || uri.startsWith("/") || uri.startsWith("?") ? "" : "/") + uri);
        }
        checkAbsolute(u, "uri");
        if (!tls.enabled() && u.getScheme().equalsIgnoreCase("https")) {
            // read the JDK's trust store now, on the thread that builds the request, not on a port thread
            DefaultTls.CLIENT.enabled();
        }
        return u;
    }

    private static URI checkAbsolute(URI u, String what) {
        String scheme = u.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || u.getHost() == null) {
            throw new IllegalArgumentException(what + " must be an http:// or https:// URI with a host, was " + u);
        }
        return u;
    }

    boolean secured(URI uri) {
        return tls.enabled() || uri.getScheme().equalsIgnoreCase("https");
    }

    /** The pool for the URI's origin, made on first use. */
    ClientPool pool(URI uri) {
        boolean secure = secured(uri);
        String key = (secure ? "https://" : "http://") + uri.getHost() + ":" + port(uri, secure);
        return pools.byOrigin.computeIfAbsent(key, k -> {
            ClientPool p = new ClientPool(URI.create(k), connect(uri), pool, 16 * 1024);
            if (pools.disposed) {
                p.dispose();
            }
            return p;
        });
    }

    /** Connects to the URI's origin, with TLS where {@link #secured} says, on a new connection each subscription. */
    Mono<Connection> connect(URI uri) {
        boolean secure = secured(uri);
        String host = uri.getHost();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        TcpClient t = tcp.host(bare).port(port(uri, secure)).connectTimeout(connectTimeout);
        if (secure) {
            t = t.secure(tls.enabled() ? tls : DefaultTls.CLIENT);
        }
        return t.connect();
    }

    private static int port(URI uri, boolean secure) {
        return uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
    }

    /**
     * {@link Tls#client()} made once, on first use: it reads the JDK's trust store, so it is first
     * touched where a request's https URI is set. A redirect from http to https is the one case
     * where that may happen on a port thread.
     */
    private static final class DefaultTls {
        static final Tls CLIENT = Tls.client();
    }

    /** The pools a client and the clients derived from it without changing how they connect share. */
    private static final class Pools {
        final Map<String, ClientPool> byOrigin = new ConcurrentHashMap<>();
        /** The WebSockets open (outside the pools, but disposed with them). */
        final java.util.Set<WebSocketClientConnection> webSockets = ConcurrentHashMap.newKeySet();
        /** Set by dispose (any thread), read by pool creation and isDisposed. */
        volatile boolean disposed;
    }

    private static Duration notNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "HttpClient[" + (baseUrl.isEmpty() ? "no baseUrl" : baseUrl) + ", " + pool + "]";
    }
}
