package io.flowsock.http;

import io.flowsock.reactive.Connection;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import javax.net.ssl.SSLSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A parsed request; immutable but for its body, which its connection feeds. */
final class ServerRequest implements HttpServerRequest {
    private final Connection connection;
    private final String method;
    private final String uri;
    private final String version;
    private final HttpHeaders headers;
    private final long contentLength;   // -1: chunked
    private final boolean keepAlive;
    final boolean expectContinue;
    final RequestBody body;

    ServerRequest(Connection connection, String method, String uri, String version, HttpHeaders headers,
                  long contentLength, boolean keepAlive, boolean expectContinue, RequestBody body) {
        this.connection = connection;
        this.method = method;
        this.uri = uri;
        this.version = version;
        this.headers = headers;
        this.contentLength = contentLength;
        this.keepAlive = keepAlive;
        this.expectContinue = expectContinue;
        this.body = body;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String path() {
        int start = 0;
        if (!uri.startsWith("/")) {   // absolute-form: scheme://authority/path?query
            int scheme = uri.indexOf("://");
            start = scheme < 0 ? 0 : uri.indexOf('/', scheme + 3);
            if (start < 0) {
                return "/";
            }
        }
        int q = uri.indexOf('?', start);
        return q < 0 ? uri.substring(start) : uri.substring(start, q);
    }

    @Override
    public Optional<String> query() {
        int q = uri.indexOf('?');
        return q < 0 ? Optional.empty() : Optional.of(uri.substring(q + 1));
    }

    @Override
    public Optional<String> queryParam(String name) {
        Objects.requireNonNull(name, "name");
        Optional<String> query = query();
        if (query.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : query.get().split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(name)) {
                return Optional.of(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return Optional.empty();
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;   // a stray '%' is taken as it is, not as a failure of the whole request
        }
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public HttpHeaders headers() {
        return headers;
    }

    @Override
    public OptionalLong contentLength() {
        return contentLength < 0 ? OptionalLong.empty() : OptionalLong.of(contentLength);
    }

    @Override
    public boolean isKeepAlive() {
        return keepAlive;
    }

    @Override
    public Flux<ByteBuffer> receive() {
        return body;
    }

    @Override
    public <T> Flux<T> receive(Function<? super ByteBuffer, ? extends T> reader) {
        return body.lending(Objects.requireNonNull(reader, "reader"));
    }

    @Override
    public Mono<String> receiveString() {
        Charset charset = Bodies.charset(headers);
        return Mono.defer(() -> {
            // read in place: each chunk is copied from the connection's loan into the string's bytes
            // (through a scratch array when it is direct), with no buffer made for a subscriber to own
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            return body.lending(b -> Bodies.append(out, b)).then(Mono.fromCallable(() -> out.toString(charset)));
        });
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return connection.localAddress();
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return connection.tlsSession();
    }

    @Override
    public String toString() {
        return method + " " + uri + " " + version;
    }
}
