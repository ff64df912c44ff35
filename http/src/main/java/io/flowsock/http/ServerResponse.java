package io.flowsock.http;

import io.flowsock.reactive.Strings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * The response side of one exchange. {@code send} only claims the response and records what to
 * send; its connection's drain writes the head, so every write of the connection (a 100 Continue,
 * this head, the next pipelined response) is started in one serial order.
 */
final class ServerResponse implements HttpServerResponse {
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** What to send: a whole body of known length, or a stream; and whom to tell when it is written. */
    record Body(ByteBuffer whole, Publisher<? extends ByteBuffer> stream, MonoSink<Void> sink) { }

    private final ServerConnection owner;
    private final HttpHeaders headers = new HttpHeaders();
    private volatile int status = 200;   // written by the handler before send, read by the drain after
    private volatile boolean keepAlive = true;
    /** Claimed by the first send on any thread; nothing may change once it is set. */
    private final AtomicBoolean claimed = new AtomicBoolean();
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
        return claimed.get();
    }

    @Override
    public Mono<Void> send(Publisher<? extends ByteBuffer> body) {
        Objects.requireNonNull(body, "body");
        if (body instanceof Mono<?>) {
            // one buffer: wait for it, then send it with its length in the head
            return Mono.create(sink -> {
                if (claim(sink)) {
                    Mono.<ByteBuffer>from(body).defaultIfEmpty(EMPTY).subscribe(
                            b -> post(new Body(b, null, sink)),
                            e -> {
                                claimed.set(false);   // nothing was written: the server may still answer 500
                                sink.error(e);
                            });
                }
            });
        }
        return Mono.create(sink -> {
            if (claim(sink)) {
                post(new Body(null, body, sink));
            }
        });
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
        return send(Mono.fromSupplier(() -> ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8))));
    }

    @Override
    public Mono<Void> send() {
        return send(Mono.empty());
    }

    private void textPlainUnlessSet() {
        if (!claimed.get() && !headers.contains("Content-Type")) {
            headers.set("Content-Type", "text/plain; charset=utf-8");
        }
    }

    private boolean claim(MonoSink<Void> sink) {
        if (!claimed.compareAndSet(false, true)) {
            sink.error(new IllegalStateException("the response is already committed: send once per response"));
            return false;
        }
        return true;
    }

    /** The server's own response (empty, or an error page with its status), when the handler sent none. */
    boolean claimForServer(int status, String text) {
        if (!claimed.compareAndSet(false, true)) {
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

    private void post(Body b) {
        body = b;
        owner.drain();
    }

    private void uncommitted() {
        if (claimed.get()) {
            throw new IllegalStateException("the response is already committed: set status and headers before send");
        }
    }
}
