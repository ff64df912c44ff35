package io.flowsock.http;

import io.flowsock.core.ConnectionClosedException;
import io.flowsock.reactive.Connection;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpParser;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The client's side of one WebSocket, on a TCP connection of its own: it writes the opening
 * handshake (RFC 6455, 4.1), reads the answer with Jetty's {@link HttpParser} in response mode,
 * checks it, and from the 101 on is the {@link WebSocketHost} of the client's session,
 * which decodes the bytes that followed the head in the same read first.
 *
 * <p><b>Threading.</b> Every signal (a buffer arrived, the input ended, a deadline passed, the
 * session's own events) runs {@link #drain()}, a serial loop: one thread at a time runs it, any
 * thread may enter. Fields without a comment are confined to it. One buffer of input is asked for
 * at a time, and only when the loop has used up the last.
 */
final class WebSocketClientConnection implements CoreSubscriber<ByteBuffer>, WebSocketHost,
        WebSocketSession.Ended {
    private static final Logger LOG = Loggers.getLogger(WebSocketClientConnection.class);
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final Connection conn;
    private final URI uri;
    private final String key;
    private final List<String> offered;
    private final WebSocketSpec spec;
    private final Function<? super WebSocket, ? extends Publisher<Void>> fn;
    private final MonoSink<Void> sink;
    private final ParsedMessage.Response msg = new ParsedMessage.Response();
    private final HttpParser parser;
    private final Duration handshakeTimeout;
    private final AtomicInteger wip = new AtomicInteger();

    /** Set once by onSubscribe, before any other signal. */
    private volatile Subscription inbound;
    /** Handed over by onNext (one buffer is asked for at a time), taken by the loop. */
    private volatile ByteBuffer arrived;
    private volatile boolean eof;
    private volatile Throwable inboundError;
    /** Written by the loop, read by its timer: when the current wait ends. */
    private volatile long deadline = Long.MAX_VALUE;
    /** Set by the handshake's timer (a scheduler's thread). */
    private volatile boolean handshakeTimedOut;
    /** Set when the client is disposed before the 101 (any thread). */
    private volatile boolean clientGone;
    /** The session, once the 101 is checked: written by the loop, read by the handle Mono's cancel. */
    private volatile WebSocketSession session;

    private Disposable handshakeTimer;
    private Disposable timer;
    private ByteBuffer pending = NOTHING;
    private boolean requested;
    private boolean closed;

    /**
     * Starts the handshake on {@code conn}: writes {@code head} (made with {@code key}) and reads
     * the answer. {@code sink} is the handle Mono's: it ends when the TCP connection is closed.
     */
    WebSocketClientConnection(Connection conn, URI uri, ByteBuffer head, String key, List<String> offered,
                              WebSocketSpec spec, Duration handshakeTimeout,
                              Function<? super WebSocket, ? extends Publisher<Void>> fn, MonoSink<Void> sink) {
        this.conn = conn;
        this.uri = uri;
        this.key = key;
        this.offered = offered;
        this.spec = spec;
        this.fn = fn;
        this.sink = sink;
        this.parser = new HttpParser(msg, 16 * 1024, HttpCompliance.RFC9110);
        this.handshakeTimeout = handshakeTimeout;
        if (!handshakeTimeout.isZero()) {
            handshakeTimer = Schedulers.parallel().schedule(() -> {
                handshakeTimedOut = true;
                drain();
            }, handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        conn.send(Mono.just(head)).subscribe(null, e -> conn.dispose());   // a failed write ends the inbound too
        conn.inbound().subscribe(this);
    }

    /** The client was disposed (any thread): the WebSocket goes away (1001), or the handshake fails. */
    void clientDisposed() {
        WebSocketSession s = session;
        if (s != null) {
            s.close(WebSocketClose.GOING_AWAY, "the client is disposed").subscribe(null, e -> conn.dispose());
        } else {
            clientGone = true;
            drain();
        }
    }

    /** The handle Mono was cancelled (any thread): the WebSocket goes away (1001), or the handshake is dropped. */
    void cancelled() {
        WebSocketSession s = session;
        if (s != null) {
            s.close(WebSocketClose.GOING_AWAY, "").subscribe(null, e -> conn.dispose());
        } else {
            conn.dispose();
        }
    }

    // ---- inbound: the port thread, one signal at a time ----

    @Override
    public void onSubscribe(Subscription s) {
        inbound = s;
        drain();
    }

    @Override
    public void onNext(ByteBuffer b) {
        arrived = b;
        drain();
    }

    @Override
    public void onError(Throwable e) {
        inboundError = e;
        eof = true;
        drain();
    }

    @Override
    public void onComplete() {
        eof = true;
        drain();
    }

    // ---- the serial loop ----

    @Override
    public void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            try {
                while (step()) {
                    // each step made progress; run until none does
                }
            } catch (RuntimeException | Error e) {
                LOG.warn("flowsock-http: failure in the WebSocket client on " + conn + "; closing it abortively", e);
                if (session == null) {
                    failHandshake(e);
                }
                abort();
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private boolean step() {
        if (inbound == null) {
            return false;
        }
        ByteBuffer a = arrived;
        if (a != null) {
            arrived = null;
            requested = false;
            pending = a;
        }
        WebSocketSession s = session;
        if (closed) {
            if (s != null) {
                s.closedStep();
            }
            return false;
        }
        if (s == null) {
            return handshake();
        }
        if (inboundError != null && !(inboundError instanceof ConnectionClosedException)) {
            abort();
            return false;
        }
        return s.step();
    }

    /** Reads the answer to the handshake; false when it waits for more. */
    private boolean handshake() {
        if (clientGone) {
            failHandshake(new HttpClientException(HttpClientException.Kind.CLIENT_DISPOSED, uri,
                    "the client was disposed during the WebSocket handshake"));
            return false;
        }
        if (handshakeTimedOut) {
            failHandshake(new HttpClientException(HttpClientException.Kind.RESPONSE_TIMEOUT, uri,
                    "no answer to the WebSocket handshake within the response timeout of "
                            + handshakeTimeout.toMillis() + " ms"));
            return false;
        }
        if (!pending.hasRemaining()) {
            if (eof) {
                failHandshake(new HttpClientException(HttpClientException.Kind.PREMATURE_CLOSE, uri,
                        "the server closed the connection before its answer to the WebSocket handshake was whole",
                        inboundError));
                return false;
            }
            requestMore();
            return false;
        }
        parser.parseNext(pending);
        if (msg.bad != null) {
            failHandshake(new HttpClientException(HttpClientException.Kind.BAD_RESPONSE, uri,
                    "the answer to the WebSocket handshake is malformed: " + msg.bad.getReason()));
            return false;
        }
        if (!msg.headComplete) {
            return true;   // the rest of the head is in the next buffer: asked for when this one is used up
        }
        msg.headComplete = false;
        HttpHeaders h = HttpHeaders.parsed(msg.fields);
        String protocol = h.get("Sec-WebSocket-Protocol").map(String::trim).orElse(null);
        String refused = refusal(msg.status, h, protocol);
        if (refused != null) {
            failHandshake(new HttpClientException(HttpClientException.Kind.WEBSOCKET_HANDSHAKE, uri, refused));
            return false;
        }
        PerMessageDeflate deflate;
        try {
            deflate = PerMessageDeflate.agreed(h.getAll("Sec-WebSocket-Extensions"), spec.compress());
        } catch (IllegalArgumentException e) {
            failHandshake(new HttpClientException(HttpClientException.Kind.WEBSOCKET_HANDSHAKE, uri, e.getMessage()));
            return false;
        }
        if (handshakeTimer != null) {
            handshakeTimer.dispose();
        }
        WebSocketSession ws = new WebSocketSession(this, true, h, HttpClientRequest.path(uri), spec, fn, protocol, deflate, this);
        session = ws;
        ws.start();
        return true;
    }

    /** Why the answer is no acceptance of the handshake (RFC 6455, 4.1, the client's checks), or null. */
    private String refusal(int status, HttpHeaders h, String protocol) {
        if (status != 101) {
            return "the server answered the WebSocket handshake with " + status + ", not 101 Switching Protocols";
        }
        if (!h.containsToken("Upgrade", "websocket")) {
            return "the server's 101 has no Upgrade: websocket";
        }
        if (!h.containsToken("Connection", "upgrade")) {
            return "the server's 101 has no Connection: Upgrade";
        }
        String accept = h.get("Sec-WebSocket-Accept").orElse("");
        if (!accept.trim().equals(WebSocketFrames.accept(key))) {
            return "the server's Sec-WebSocket-Accept \"" + accept + "\" does not answer the key sent";
        }
        if (protocol != null && !offered.contains(protocol)) {
            return "the server chose the subprotocol \"" + protocol + "\", which was not offered (offered: " + offered + ")";
        }
        return null;
    }

    private void failHandshake(Throwable e) {
        closed = true;
        if (handshakeTimer != null) {
            handshakeTimer.dispose();
        }
        conn.dispose();
        sink.error(e);
    }

    // ---- how the session ended: the handle Mono hears it ----

    @Override
    public void ended() {
        sink.success();
    }

    @Override
    public void failed(Throwable e) {
        sink.error(e);
    }

    // ---- the host of the session: in the loop ----

    @Override
    public Connection connection() {
        return conn;
    }

    @Override
    public ByteBuffer pending() {
        return pending;
    }

    @Override
    public void requestMore() {
        if (!requested && !eof) {
            requested = true;
            inbound.request(1);
        }
    }

    @Override
    public boolean atEof() {
        return eof;
    }

    @Override
    public boolean shuttingDown() {
        return false;
    }

    @Override
    public long deadline() {
        return deadline;
    }

    @Override
    public void deadline(long nanos) {
        deadline = nanos;
        if (timer != null) {
            timer.dispose();
            timer = null;
        }
        if (nanos != Long.MAX_VALUE) {
            timer = Schedulers.parallel().schedule(this::drain, Math.max(0, nanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() {
        closed = true;
        stopTimer();
        conn.close().subscribe(null, e -> conn.dispose());
        // the graceful close reads until the peer's FIN only as far as demand goes: what comes now is dropped
        inbound.request(Long.MAX_VALUE);
    }

    @Override
    public void abort() {
        closed = true;
        stopTimer();
        conn.dispose();
    }

    private void stopTimer() {
        if (timer != null) {
            timer.dispose();
            timer = null;
        }
    }

    @Override
    public String toString() {
        return "WebSocket client " + uri + " on " + conn;
    }
}
