package io.flowsock.http;

import io.flowsock.reactive.Strings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Fuseable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * The response side of one exchange. {@code send} only claims the response and records what to
 * send; its connection's drain writes the head, so every write of the connection (a 100 Continue,
 * this head, the next pipelined response) is started in one serial order.
 */
final class ServerResponse implements HttpServerResponse {
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** What to send: a whole body of known length, or a stream; and whom to tell when it is written. */
    record Body(ByteBuffer whole, Publisher<? extends ByteBuffer> stream, Sent sink, WebSocketSession.Upgrade upgrade) {
        Body(ByteBuffer whole, Publisher<? extends ByteBuffer> stream, Sent sink) {
            this(whole, stream, sink, null);
        }
    }

    private final ServerConnection owner;
    private final HttpHeaders headers = new HttpHeaders();
    private volatile int status = 200;   // written by the handler before send, read by the drain after
    private volatile boolean keepAlive = true;
    /** Claimed (1) by the first send on any thread; nothing may change once it is set. */
    private static final AtomicIntegerFieldUpdater<ServerResponse> CLAIMED =
            AtomicIntegerFieldUpdater.newUpdater(ServerResponse.class, "claimed");
    private volatile int claimed;
    /** Written once by the thread that has what to send, read by the drain. */
    volatile Body body;

    ServerResponse(ServerConnection owner) {
        this.owner = owner;
    }

    @Override
    public HttpServerResponse status(int status) {
        uncommitted();
        this.status = HttpStatus.check(status);
        return this;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public HttpServerResponse header(String name, Object value) {
        uncommitted();
        headers.set(name, value);
        return this;
    }

    @Override
    public HttpServerResponse addHeader(String name, Object value) {
        uncommitted();
        headers.add(name, value);
        return this;
    }

    @Override
    public HttpHeaders headers() {
        return headers;
    }

    @Override
    public HttpServerResponse keepAlive(boolean keepAlive) {
        uncommitted();
        this.keepAlive = keepAlive;
        return this;
    }

    boolean keepAlive() {
        return keepAlive;
    }

    @Override
    public boolean isCommitted() {
        return claimed != 0;
    }

    @Override
    public Mono<Void> send(Publisher<? extends ByteBuffer> body) {
        Objects.requireNonNull(body, "body");
        return new Send(body, null);
    }

    @Override
    public Mono<Void> sendString(Publisher<? extends CharSequence> body) {
        Objects.requireNonNull(body, "body");
        textPlainUnlessSet();
        if (body instanceof Mono<?>) {
            return send(Mono.from(body).map(s -> StandardCharsets.UTF_8.encode(s.toString())));
        }
        return send(Strings.encodeUtf8(body));
    }

    @Override
    public Mono<Void> sendString(CharSequence body) {
        Objects.requireNonNull(body, "body");
        textPlainUnlessSet();
        return new Send(null, body);   // encoded when subscribed: the Mono stays lazy
    }

    @Override
    public Mono<Void> send() {
        return send(Mono.empty());
    }

    @Override
    public Mono<Void> sendWebSocket(WebSocketSpec spec, Function<? super WebSocket, ? extends Publisher<Void>> handler) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(handler, "handler");
        WebSocketSession.Upgrade upgrade = new WebSocketSession.Upgrade(spec, handler);
        return new Mono<>() {
            @Override
            public void subscribe(CoreSubscriber<? super Void> actual) {
                Sent sent = claim(actual, "it cannot become a WebSocket");
                if (sent != null) {
                    post(new Body(null, null, sent, upgrade));
                }
            }
        };
    }

    private void textPlainUnlessSet() {
        if (claimed == 0 && !headers.contains("Content-Type")) {
            headers.addTrusted("Content-Type", "text/plain; charset=utf-8");   // known absent
        }
    }

    /** The server's own response (empty, or an error page with its status), when the handler sent none. */
    boolean claimForServer(int status, String text) {
        if (!CLAIMED.compareAndSet(this, 0, 1)) {
            return false;
        }
        ByteBuffer whole = EMPTY;
        if (status != 0) {
            this.status = status;
            headers.remove("Content-Length");
            headers.remove("Transfer-Encoding");
            headers.set("Content-Type", "text/plain; charset=utf-8");
            whole = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        }
        post(new Body(whole, null, null));
        return true;
    }

    /** Subscribes {@code actual} and claims the response for it; null (and {@code actual} failed) when it was claimed before. */
    private Sent claim(CoreSubscriber<? super Void> actual, String rule) {
        Sent sent = new Sent(actual);
        actual.onSubscribe(sent);
        if (!CLAIMED.compareAndSet(this, 0, 1)) {
            sent.error(new IllegalStateException("the response is already committed: " + rule));
            return null;
        }
        return sent;
    }

    private void post(Body b) {
        body = b;
        owner.drain();
    }

    private void uncommitted() {
        if (claimed != 0) {
            throw new IllegalStateException("the response is already committed: set status and headers before send");
        }
    }

    /**
     * The Mono a send returns. Subscribing claims the response and records the body; the
     * subscriber is told when the write ends. A body already in hand (text, {@code Mono.just}) is
     * taken as it is rather than through a subscription of its own: the cost per response of
     * the plain answer.
     */
    private final class Send extends Mono<Void> {
        private final Publisher<? extends ByteBuffer> body;   // null when text is set
        private final CharSequence text;

        Send(Publisher<? extends ByteBuffer> body, CharSequence text) {
            this.body = body;
            this.text = text;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Void> actual) {
            Sent sent = claim(actual, "send once per response");
            if (sent == null) {
                return;
            }
            if (text != null) {
                ByteBuffer whole;
                try {
                    whole = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                } catch (RuntimeException e) {
                    failed(sent, e);
                    return;
                }
                post(new Body(whole, null, sent));
            } else if (body instanceof Mono<?> && body instanceof Fuseable.ScalarCallable<?> scalar) {
                // Mono.just, Mono.empty, Mono.error: the value (or the error) is there already
                Object b;
                try {
                    b = scalar.call();
                } catch (Throwable e) {
                    failed(sent, Exceptions.unwrap(e));
                    return;
                }
                post(new Body(b == null ? EMPTY : (ByteBuffer) b, null, sent));
            } else if (body instanceof Mono<?>) {
                // one buffer: wait for it, then send it with its length in the head
                Mono.<ByteBuffer>from(body).defaultIfEmpty(EMPTY).subscribe(
                        b -> post(new Body(b, null, sent)), e -> failed(sent, e));
            } else {
                post(new Body(null, body, sent));
            }
        }

        private void failed(Sent sent, Throwable e) {
            claimed = 0;   // nothing was written: the server may still answer 500
            sent.error(e);
        }
    }

    /**
     * One subscriber of a {@link Send}: told once, by the write's end or a failed claim. A cancel
     * does not stop the write, which the connection's framing needs whole; it only drops the signal.
     */
    static final class Sent implements Subscription, WebSocketSession.Ended {
        private final CoreSubscriber<? super Void> actual;
        /** Set by cancel (any thread), read by the one terminal signal. */
        private volatile boolean cancelled;

        Sent(CoreSubscriber<? super Void> actual) {
            this.actual = actual;
        }

        @Override
        public void request(long n) {
            // a Mono<Void> emits no item: demand changes nothing
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        void success() {
            if (!cancelled) {
                actual.onComplete();
            }
        }

        void error(Throwable e) {
            if (cancelled) {
                Operators.onErrorDropped(e, actual.currentContext());
            } else {
                actual.onError(e);
            }
        }

        @Override
        public void ended() {
            success();
        }

        @Override
        public void failed(Throwable e) {
            error(e);
        }
    }
}
