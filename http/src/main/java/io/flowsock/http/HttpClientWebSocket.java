package io.flowsock.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * A WebSocket to open from {@link HttpClient#websocket()}, built up immutably: URI, header fields,
 * subprotocols offered, the spec; then {@link #handle} opens it, once per subscription.
 *
 * <pre>{@code
 * Mono<Void> echoOnce = client.websocket().uri("ws://localhost:8080/echo")
 *         .handle(ws -> ws.sendText(Mono.just("hello"))
 *                 .thenMany(ws.receive().take(1).map(WebSocketMessage::text))
 *                 .doOnNext(System.out::println)
 *                 .then());
 * }</pre>
 *
 * <p>The WebSocket behaves as the server's does ({@link WebSocket}): whole messages read only
 * against demand, pings answered, the closing handshake when the function's Publisher ends. What
 * the client does differently, as RFC 6455 asks: it masks each frame it sends with a fresh key (so
 * a payload is copied once, into the frame), it refuses masked frames from the server (1002), and
 * after the closing handshake it waits for the server to close the TCP connection, at most the
 * spec's {@code closeTimeout}, before it closes its own side.
 *
 * <p><b>Threading.</b> Immutable: every call returns a new one. Nothing happens until the Mono of
 * {@link #handle} is subscribed.
 */
public final class HttpClientWebSocket {
    private static final SecureRandom KEYS = new SecureRandom();

    private final HttpClient client;
    private final URI uri;                   // http(s) form; null until uri(...)
    private final Consumer<HttpHeaders> headers;
    private final List<String> subprotocols;
    private final WebSocketSpec spec;

    HttpClientWebSocket(HttpClient client) {
        this(client, null, h -> { }, List.of(), WebSocketSpec.defaults());
    }

    private HttpClientWebSocket(HttpClient client, URI uri, Consumer<HttpHeaders> headers, List<String> subprotocols,
                                WebSocketSpec spec) {
        this.client = client;
        this.uri = uri;
        this.headers = headers;
        this.subprotocols = subprotocols;
        this.spec = spec;
    }

    /**
     * The target: {@code ws://} or {@code wss://} (or {@code http://} and {@code https://}, the
     * same), absolute or relative to the client's base URL.
     */
    public HttpClientWebSocket uri(String uri) {
        Objects.requireNonNull(uri, "uri");
        String u = uri.regionMatches(true, 0, "ws://", 0, 5) ? "http://" + uri.substring(5)
                : uri.regionMatches(true, 0, "wss://", 0, 6) ? "https://" + uri.substring(6) : uri;
        URI resolved;
        try {
            resolved = client.resolve(u);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("an http:// or https:// URI",
                    "a ws://, wss://, http:// or https:// URI"), e);
        }
        if (resolved.getRawFragment() != null) {
            throw new IllegalArgumentException("a WebSocket URI has no fragment (RFC 6455, 3), was " + uri);
        }
        return new HttpClientWebSocket(client, resolved, headers, subprotocols, spec);
    }

    /** Sets one header field of the handshake (replacing any of that name); the handshake's own cannot be set. */
    public HttpClientWebSocket header(String name, Object value) {
        HttpHeaders.checkValue(HttpHeaders.checkName(name), value);
        return headers(h -> h.set(name, value));
    }

    /** Changes the handshake's header fields, after the client's defaults; calls add up in order. */
    public HttpClientWebSocket headers(Consumer<HttpHeaders> change) {
        Objects.requireNonNull(change, "change");
        return new HttpClientWebSocket(client, uri, headers.andThen(change), subprotocols, spec);
    }

    /**
     * The subprotocols to offer, most wanted first (RFC 6455, 1.9); the server picks one or none,
     * and {@link WebSocket#subprotocol()} says which. Without this, the spec's subprotocol is
     * offered, if it has one.
     *
     * @throws IllegalArgumentException naming a subprotocol that is not an HTTP token
     */
    public HttpClientWebSocket subprotocols(List<String> offered) {
        Objects.requireNonNull(offered, "offered");
        List<String> copy = List.copyOf(offered);
        for (String p : copy) {
            if (p.isEmpty() || !HttpHeaders.isToken(p)) {
                throw new IllegalArgumentException("a subprotocol must be an HTTP token, was \"" + p + "\"");
            }
        }
        return new HttpClientWebSocket(client, uri, headers, copy, spec);
    }

    /** The largest message received and how long a close waits, as on the server; its subprotocol is offered. */
    public HttpClientWebSocket spec(WebSocketSpec spec) {
        return new HttpClientWebSocket(client, uri, headers, subprotocols, Objects.requireNonNull(spec, "spec"));
    }

    /**
     * Opens the WebSocket and runs {@code fn} on it once the server's 101 is checked; when what
     * {@code fn} returns ends, the WebSocket closes with 1000 (1011 if it failed), as on the
     * server. The Mono completes when the TCP connection is closed, or fails with the function's
     * error; it fails with {@link HttpClientException} when the handshake does not succeed
     * ({@link HttpClientException.Kind#WEBSOCKET_HANDSHAKE}: an answer other than a valid 101;
     * {@code RESPONSE_TIMEOUT}, {@code PREMATURE_CLOSE}, {@code BAD_RESPONSE}), or with the
     * connect's or TLS's own exception. Cancelling it closes the WebSocket with 1001.
     */
    public Mono<Void> handle(Function<? super WebSocket, ? extends Publisher<Void>> fn) {
        Objects.requireNonNull(fn, "fn");
        if (uri == null) {
            throw new IllegalStateException("the WebSocket has no URI: call uri(...) first");
        }
        URI target = uri;
        List<String> offered = subprotocols.isEmpty() && spec.subprotocol() != null ? List.of(spec.subprotocol())
                : subprotocols;
        return Mono.create(sink -> {
            if (client.isDisposed()) {
                sink.error(new HttpClientException(HttpClientException.Kind.CLIENT_DISPOSED, target, "the client is disposed"));
                return;
            }
            // subscribed here, not flat-mapped: a cancel after the connect must reach the WebSocket,
            // which closes with 1001, and not the connect, whose cancel discards the connection
            Opening opening = new Opening();
            sink.onCancel(opening::cancel);
            opening.connecting = client.connect(target).subscribe(conn -> {
                WebSocketClientConnection ws;
                try {
                    String key = key();
                    ws = new WebSocketClientConnection(conn, target, head(target, key, offered), key, offered,
                            spec, client.responseTimeout, fn, sink);
                } catch (RuntimeException e) {   // a client header that cannot go out, say: the connection is not kept
                    conn.dispose();
                    sink.error(e);
                    return;
                }
                client.track(ws, conn);
                opening.opened(ws);
            }, sink::error);
        });
    }

    /** What a cancel of the handle Mono stops: the connect, or once connected the WebSocket. */
    private static final class Opening {
        volatile reactor.core.Disposable connecting;
        private WebSocketClientConnection ws;
        private boolean cancelled;

        synchronized void opened(WebSocketClientConnection c) {
            ws = c;
            if (cancelled) {
                c.cancelled();
            }
        }

        void cancel() {
            WebSocketClientConnection c;
            synchronized (this) {
                cancelled = true;
                c = ws;
            }
            if (c != null) {
                c.cancelled();
            } else if (connecting != null) {
                connecting.dispose();
            }
        }
    }

    /** A fresh Sec-WebSocket-Key: 16 random bytes, base64 (RFC 6455, 4.1). */
    private static String key() {
        byte[] k = new byte[16];
        KEYS.nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    /** The opening handshake: the client's defaults and this one's fields, then the handshake's own. */
    private ByteBuffer head(URI target, String key, List<String> offered) {
        HttpHeaders h = HttpClientRequest.fields(client, target, headers);
        for (String owned : OWNED) {
            h.remove(owned);
        }
        h.set("Upgrade", "websocket");
        h.set("Connection", "Upgrade");
        h.set("Sec-WebSocket-Key", key);
        h.set("Sec-WebSocket-Version", "13");
        if (!offered.isEmpty()) {
            // no space after the commas: servers that split the list without trimming (Spring's HandshakeWebSocketService
            // does) then still find each name
            h.set("Sec-WebSocket-Protocol", String.join(",", offered));
        }
        if (spec.compress()) {
            h.set("Sec-WebSocket-Extensions", PerMessageDeflate.offer());
        }
        return HttpClientRequest.head(target, "GET", h);
    }

    /** Fields the handshake sets itself: whatever the defaults or this request set for them is dropped. */
    private static final String[] OWNED = {"Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
            "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Content-Length", "Transfer-Encoding"};

    @Override
    public String toString() {
        return "WebSocket " + (uri == null ? "(no uri)" : uri);
    }
}
