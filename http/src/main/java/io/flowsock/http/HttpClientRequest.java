package io.flowsock.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One request to make, built up immutably: method, URI, header fields, body; then one of the
 * {@code response} methods sends it, once per subscription.
 *
 * <pre>{@code
 * Mono<String> text = client.get().uri("/hello").responseString();
 * Flux<ByteBuffer> echoed = client.post().uri("/echo").send(body).responseContent();
 * }</pre>
 *
 * <p><b>Threading.</b> Immutable: every call returns a new request. Nothing happens until a
 * response Publisher is subscribed; each subscription sends the request again.
 *
 * <p><b>Buffers.</b> The body's buffers belong to the connection from onNext until the request is
 * written; the response's buffers are the subscriber's for good.
 *
 * <p><b>Lifecycle.</b> See {@link HttpClientResponse}: the connection is the response's until its
 * body is read whole, cancelled or discarded. The convenience methods read or discard it for you.
 */
public final class HttpClientRequest {
    private static final ByteBuffer LAST_CHUNK = ByteBuffer.wrap("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    private static final byte[] CRLF = {'\r', '\n'};

    private final HttpClient client;
    private final String method;
    private final URI uri;                              // null until uri(...)
    private final Consumer<HttpHeaders> headers;
    private final Publisher<? extends ByteBuffer> body; // null: no body

    HttpClientRequest(HttpClient client, String method) {
        this(client, method, null, h -> { }, null);
    }

    private HttpClientRequest(HttpClient client, String method, URI uri, Consumer<HttpHeaders> headers,
                              Publisher<? extends ByteBuffer> body) {
        this.client = client;
        this.method = method;
        this.uri = uri;
        this.headers = headers;
        this.body = body;
    }

    /** The target: absolute, or relative to the client's base URL. */
    public HttpClientRequest uri(String uri) {
        return new HttpClientRequest(client, method, client.resolve(uri), headers, body);
    }

    /** Sets one header field (replacing any of that name); checked as the server checks its own. */
    public HttpClientRequest header(String name, Object value) {
        HttpHeaders.checkValue(HttpHeaders.checkName(name), value);
        return headers(h -> h.set(name, value));
    }

    /** Changes the header fields, after the client's defaults; calls add up in order. */
    public HttpClientRequest headers(Consumer<HttpHeaders> change) {
        Objects.requireNonNull(change, "change");
        return new HttpClientRequest(client, method, uri, headers.andThen(change), body);
    }

    /**
     * The body: a {@link Mono} goes with Content-Length, any other Publisher chunked, unless the
     * headers set Content-Length (then it is sent as it comes, and must be that long).
     */
    public HttpClientRequest send(Publisher<? extends ByteBuffer> body) {
        return new HttpClientRequest(client, method, uri, headers, Objects.requireNonNull(body, "body"));
    }

    /** A UTF-8 body with Content-Length, and {@code text/plain; charset=utf-8} unless a Content-Type is set. */
    public HttpClientRequest sendString(CharSequence text) {
        Objects.requireNonNull(text, "text");
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        return headers(h -> {
            if (!h.contains("Content-Type")) {
                h.set("Content-Type", "text/plain; charset=utf-8");
            }
        }).send(Mono.fromSupplier(() -> ByteBuffer.wrap(bytes)));
    }

    /**
     * Sends the request and emits the response once its head has arrived. Its body is then the
     * caller's to read, cancel or {@link HttpClientResponse#discard() discard}: until then it holds
     * the connection. Fails with {@link HttpClientException} (response timeout, premature close,
     * a malformed response, the pool's wait limit), or the connect's or TLS's own exception.
     */
    public Mono<HttpClientResponse> response() {
        URI target = target();
        return follow(target, method, body, 0);
    }

    /** Applies {@code reader} to the response and its body; the body is discarded when what it returns ends. */
    public <V> Flux<V> response(BiFunction<? super HttpClientResponse, ? super Flux<ByteBuffer>,
            ? extends Publisher<V>> reader) {
        Objects.requireNonNull(reader, "reader");
        return response().flatMapMany(r -> Flux.<V>from(reader.apply(r, r.body())).doFinally(s -> r.discard()));
    }

    /** The body's buffers, whatever the status. */
    public Flux<ByteBuffer> responseContent() {
        return response().flatMapMany(HttpClientResponse::body);
    }

    /** Applies {@code reader} to the response and its whole body, aggregated; the body is discarded if unread. */
    public <V> Mono<V> responseSingle(BiFunction<? super HttpClientResponse, ? super Mono<byte[]>,
            ? extends Mono<V>> reader) {
        Objects.requireNonNull(reader, "reader");
        return response().flatMap(r -> reader.apply(r, Bodies.aggregate(r.body())).doFinally(s -> r.discard()));
    }

    /** The whole body as text, decoded by the Content-Type's charset or UTF-8, whatever the status. */
    public Mono<String> responseString() {
        return responseSingle((r, bytes) -> bytes.map(b -> new String(b, Bodies.charset(r.headers()))));
    }

    private URI target() {
        if (uri == null) {
            throw new IllegalStateException(method + " request has no URI: call uri(...) first");
        }
        return uri;
    }

    /** One exchange, then the redirect it asks for when the client follows them. */
    private Mono<HttpClientResponse> follow(URI target, String m, Publisher<? extends ByteBuffer> b, int redirects) {
        return attempt(target, m, b, true).flatMap(r -> {
            if (!client.followRedirects || !isRedirect(r.status()) || r.headers().get("Location").isEmpty()) {
                return Mono.just(r);
            }
            if (redirects >= HttpClient.MAX_REDIRECTS) {
                r.discard();
                return Mono.error(new HttpClientException(HttpClientException.Kind.TOO_MANY_REDIRECTS, target,
                        "more than " + HttpClient.MAX_REDIRECTS + " redirects in a row"));
            }
            URI next = target.resolve(r.headers().get("Location").get());
            boolean keepMethod = r.status() == 307 || r.status() == 308 || m.equals("GET") || m.equals("HEAD");
            // a redirect's own body is small: read it so its connection goes back to the pool
            return r.body().then(Mono.defer(() -> follow(next, keepMethod ? m : "GET", keepMethod ? b : null,
                    redirects + 1)));
        });
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private Mono<HttpClientResponse> attempt(URI target, String m, Publisher<? extends ByteBuffer> b, boolean retry) {
        return Mono.defer(() -> {
            HttpHeaders h = headers(target, m, b);
            boolean close = h.containsToken("Connection", "close");
            Publisher<ByteBuffer> outbound = outbound(target, m, h, b);
            return client.pool(target).acquire()
                    .flatMap(c -> Mono.<HttpClientResponse>create(sink -> c.start(new ClientExchange(target,
                            m.equals("HEAD"), close, outbound, client.responseTimeout, sink))))
                    // a response emitted just as its subscriber cancelled would hold its connection for good
                    .doOnDiscard(HttpClientResponse.class, HttpClientResponse::discard);
        }).onErrorResume(e -> retry && e instanceof HttpClientException x && x.retryable
                && (b == null || b instanceof Mono), e -> attempt(target, m, b, false));
    }

    private HttpHeaders headers(URI target, String m, Publisher<? extends ByteBuffer> b) {
        HttpHeaders h = fields(client, target, headers);
        if (b == null && !h.contains("Content-Length") && (m.equals("POST") || m.equals("PUT") || m.equals("PATCH"))) {
            h.set("Content-Length", 0);   // RFC 9110, 8.6: a body-bearing method without one says so
        }
        return h;
    }

    /** The head and the framed body, as the connection will write them. */
    private Publisher<ByteBuffer> outbound(URI target, String m, HttpHeaders h, Publisher<? extends ByteBuffer> b) {
        if (b == null) {
            return Mono.fromSupplier(() -> head(target, m, h));
        }
        if (h.contains("Content-Length")) {
            return Flux.concat(Mono.fromSupplier(() -> head(target, m, h)), b);
        }
        if (b instanceof Mono<? extends ByteBuffer> mono) {
            return mono.map(ByteBuffer.class::cast).defaultIfEmpty(ByteBuffer.allocate(0)).flatMapMany(buf -> {
                h.set("Content-Length", buf.remaining());
                return Flux.just(head(target, m, h), buf);
            });
        }
        h.set("Transfer-Encoding", "chunked");
        Flux<ByteBuffer> chunks = Flux.<ByteBuffer>from(b).filter(ByteBuffer::hasRemaining)
                .concatMapIterable(buf -> List.of(ByteBuffer.wrap((Long.toHexString(buf.remaining()) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII)), buf, ByteBuffer.wrap(CRLF)));
        return Flux.concat(Mono.fromSupplier(() -> head(target, m, h)), chunks, Mono.fromSupplier(LAST_CHUNK::duplicate));
    }

    /** Host and User-Agent, then the client's default fields, then the request's own changes. */
    static HttpHeaders fields(HttpClient client, URI target, Consumer<HttpHeaders> change) {
        HttpHeaders h = new HttpHeaders();
        h.set("Host", target.getPort() < 0 ? target.getHost() : target.getHost() + ":" + target.getPort());
        h.set("User-Agent", "flowsock");
        client.headers.accept(h);
        change.accept(h);
        return h;
    }

    /** The target's raw path, or "/" when it has none (RFC 9112, 3.2.1: the origin form is never empty). */
    static String path(URI target) {
        return target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
    }

    /** A request's head: its request line in origin form, then the fields. */
    static ByteBuffer head(URI target, String m, HttpHeaders h) {
        Ascii out = new Ascii(256 + h.byteLength());
        out.append(m).append(" ").append(path(target));
        if (target.getRawQuery() != null) {
            out.append("?").append(target.getRawQuery());
        }
        out.append(" HTTP/1.1").crlf();
        h.writeTo(out);
        return out.crlf().toBuffer();
    }

    @Override
    public String toString() {
        return method + " " + (uri == null ? "(no uri)" : uri);
    }
}
