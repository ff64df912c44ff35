package io.flowsock.http;

import io.flowsock.core.ConnectionClosedException;
import io.flowsock.reactive.Connection;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;

/**
 * HTTP/1.1 on one pooled client connection: writes a request, reads its response off
 * {@link Connection#inbound()} with Jetty's {@link HttpParser} in response mode, hands the body to
 * its subscriber as it asks, and gives the connection back to its pool or closes it.
 *
 * <p><b>Threading.</b> Every event (a buffer arrived, an exchange started, body demand or cancel,
 * the send's end, the response timeout) is queued and run by {@link #drain()}, a serial loop: one
 * thread at a time runs it, any thread may enter. Fields without a comment are confined to it.
 *
 * <p><b>Flow.</b> One buffer is requested at a time, and only when the loop needs bytes: while a
 * response head is read, while the body's subscriber has demand, and while the connection is idle
 * in its pool, where the read that stays posted is how the peer's close is noticed at once.
 *
 * <p>Longer than the usual class, as {@link ServerConnection} is: the state machine is one piece,
 * and its steps share the parser's results and the exchange in progress.
 */
final class ClientConnection implements CoreSubscriber<ByteBuffer> {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private enum State { IDLE, HEAD, BODY, SENDING, CLOSED }

    final Connection conn;
    private final ClientPool pool;
    private final ParsedMessage.Response msg = new ParsedMessage.Response();
    private final HttpParser parser;
    final long created = System.nanoTime();
    /** Written and read by the pool under its lock: when it went idle, and whether it is in the open count. */
    long idleSince;
    boolean counted = true;
    /** Written by the pool before it hands the connection out, read by {@link #start} on the same thread. */
    volatile boolean reused;
    /** Events from any thread, run by the loop. */
    private final Queue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    /** Written by the loop when the connection can never serve again; read by the pool on acquire. */
    private volatile boolean broken;

    private Subscription inbound;
    private ByteBuffer pending = NOTHING;
    private boolean requested;
    private boolean eof;
    private Throwable inboundError;
    private State state = State.IDLE;

    // the exchange in progress
    private ClientExchange ex;   // the loop's: the exchange the connection serves now
    private HttpHeaders responseHeaders;

    ClientConnection(Connection conn, ClientPool pool, int maxHeaderSize) {
        this.conn = conn;
        this.pool = pool;
        this.parser = new HttpParser(msg, maxHeaderSize, HttpCompliance.RFC9110);
        conn.inbound().subscribe(this);
    }

    /** Whether the pool may hand this connection out: open, and the peer has not closed it. */
    boolean usable() {
        return !broken && !conn.isDisposed();
    }

    /** Starts an exchange; the pool calls it only on a connection it just handed out. */
    void start(ClientExchange e) {
        e.sink.onCancel(() -> signal(() -> {
            e.cancelled = true;
            if (ex == e && state == State.HEAD) {
                abort();   // the response was not wanted after all: the connection cannot be reused mid-answer
            }
        }));
        e.reused = reused;
        signal(() -> begin(e));
    }

    /** Closes an idle connection, for the pool (idle timeout, lifetime, dispose). */
    void closeIdle() {
        signal(() -> {
            if (state == State.IDLE) {
                close();
            }
        });
    }

    // ---- inbound: the port thread, one signal at a time ----

    @Override
    public void onSubscribe(Subscription s) {
        signal(() -> {
            inbound = s;
        });
    }

    @Override
    public void onNext(ByteBuffer b) {
        signal(() -> {
            requested = false;
            pending = b;
        });
    }

    @Override
    public void onError(Throwable e) {
        signal(() -> {
            eof = true;
            inboundError = e;
        });
    }

    @Override
    public void onComplete() {
        signal(() -> eof = true);
    }

    // ---- the serial loop ----

    /** Runs {@code event} in the serial loop: any thread. */
    void signal(Runnable event) {
        events.offer(event);
        drain();
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            try {
                for (Runnable e = events.poll(); e != null; e = events.poll()) {
                    e.run();
                }
                while (inbound != null && step()) {
                    // each step made progress; run until none does
                }
            } catch (RuntimeException | Error e) {
                fail(e);
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void begin(ClientExchange e) {
        if (state != State.IDLE || broken || eof || pending.hasRemaining()) {
            close();
            e.sink.error(new HttpClientException(HttpClientException.Kind.PREMATURE_CLOSE, e.uri,
                    "the pooled connection " + conn + " closed before the request went out", null, true));
            return;
        }
        if (e.cancelled) {
            pool.release(this);   // cancelled before it started: nothing was sent, the connection is as it was
            return;
        }
        ex = e;
        state = State.HEAD;
        parser.reset();
        parser.setHeadResponse(e.headRequest);
        if (!e.responseTimeout.isZero()) {
            e.timer = Schedulers.parallel().schedule(() -> signal(() -> timedOut(e)),
                    e.responseTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        conn.send(e.outbound).subscribe(null, err -> signal(() -> sendFailed(e, err)), () -> signal(() -> sent(e)));
    }

    private boolean step() {
        switch (state) {
            case IDLE:
                if (pending.hasRemaining() || eof) {
                    close();   // nothing may arrive between responses; a FIN means the peer closed it
                    return false;
                }
                requestMore();
                return false;
            case HEAD:
                return head();
            case BODY:
                return body();
            default:
                return false;
        }
    }

    private boolean head() {
        if (inboundError != null && !pending.hasRemaining()) {
            failHead(new HttpClientException(HttpClientException.Kind.PREMATURE_CLOSE, ex.uri,
                    "the connection failed before the response head was whole: " + inboundError, inboundError));
            return false;
        }
        if (!pending.hasRemaining() && !eof) {
            requestMore();
            return false;
        }
        if (eof && !pending.hasRemaining()) {
            parser.atEOF();
        }
        ex.anyByte |= pending.hasRemaining();
        parser.parseNext(pending);
        if (msg.bad != null) {
            failHead(new HttpClientException(HttpClientException.Kind.BAD_RESPONSE, ex.uri,
                    "the response is malformed: " + msg.bad.getReason()));
            return false;
        }
        if (msg.headComplete) {
            msg.headComplete = false;
            if (msg.status < 200 && msg.status != 101) {
                // an interim response (100 Continue, 103): skip it and read the final one
                parser.parseNext(pending);
                msg.messageComplete = false;
                parser.reset();
                parser.setHeadResponse(ex.headRequest);
                return true;
            }
            respond();
            return true;
        }
        if (msg.earlyEof || eof && !pending.hasRemaining()) {
            // a kept-alive connection the server closed just as the request went: safe to try again
            boolean retry = ex.reused && !ex.anyByte;
            failHead(new HttpClientException(HttpClientException.Kind.PREMATURE_CLOSE, ex.uri,
                    "the server closed the connection before the response head was whole", null, retry));
            return false;
        }
        return true;
    }

    private void respond() {
        if (ex.timer != null) {
            ex.timer.dispose();
        }
        ClientExchange e = ex;
        responseHeaders = HttpHeaders.parsed(msg.fields);
        long length = e.headRequest || HttpStatus.hasNoContent(msg.status) ? 0
                : parser.isChunking() ? -1 : parser.getContentLength();
        state = State.BODY;
        long declared = parser.isChunking() ? -1 : responseHeaders.get("Content-Length").map(ClientConnection::parseLength)
                .orElse(length == 0 ? 0L : -1L);
        HttpClientResponse response = new HttpClientResponse(e.uri, msg.status,
                msg.version == HttpVersion.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1", responseHeaders, declared, new ResponseBody(this, e),
                () -> signal(() -> e.bodyCancelled = true));
        if (length == 0) {
            // no body to wait for: the connection goes back before anyone reads the empty one
            parser.parseNext(pending);
            msg.messageComplete = false;
            e.complete = true;
            finish();
        }
        e.sink.success(response);
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;   // the parser has refused a response whose framing depends on it
        }
    }

    private boolean body() {
        ClientExchange e = ex;
        if (e.bodyCancelled) {
            abort();   // an unread rest would shift the next response's framing: the connection goes
            return false;
        }
        if (!msg.messageComplete) {
            if (e.body == null || e.demand == 0) {
                return false;   // no demand, no reads: the server is slowed by TCP
            }
            if (inboundError != null && !pending.hasRemaining()) {
                bodyFailed(new HttpBodyException(0, "the connection failed in the middle of the response body of "
                        + e.uri + ": " + inboundError));
                return false;
            }
            if (eof && !pending.hasRemaining()) {
                parser.atEOF();
            }
            parser.parseNext(pending);
            if (msg.chunk != null) {
                int n = msg.chunk.remaining();
                ByteBuffer c = pending.slice(pending.position() - n, n);   // the parser's view ends where it stopped
                msg.chunk = null;
                e.demand--;
                e.body.onNext(c);
                return true;
            }
            if (msg.bad != null) {
                bodyFailed(new HttpBodyException(0, "the response body of " + e.uri + " is malformed: "
                        + msg.bad.getReason()));
                return false;
            }
            if (msg.earlyEof) {
                bodyFailed(new HttpBodyException(0, "the server closed the connection after " + parser.getContentRead()
                        + " bytes of the response body of " + e.uri));
                return false;
            }
            if (!msg.messageComplete) {
                if (pending.hasRemaining()) {
                    return true;
                }
                if (eof) {
                    return true;   // atEOF on the next pass ends a close-delimited body or reports the early EOF
                }
                requestMore();
                return false;
            }
        }
        msg.messageComplete = false;
        e.complete = true;
        Subscriber<? super ByteBuffer> reader = e.body;
        e.body = Operators.emptySubscriber();
        // back in the pool before the reader hears of the end, so a request it sends next can reuse it
        finish();
        reader.onComplete();
        return true;
    }

    /** The response is read whole: back to the pool once the request is written too, or closed. */
    private void finish() {
        if (!ex.sent) {
            state = State.SENDING;
            return;
        }
        boolean keep = !ex.requestClose && !eof && !pending.hasRemaining() && msg.version == HttpVersion.HTTP_1_1
                && !broken && !responseHeaders.containsToken("Connection", "close");
        ex = null;
        if (keep) {
            state = State.IDLE;
            requestMore();
            pool.release(this);
        } else {
            close();
        }
    }

    private void sent(ClientExchange e) {
        e.sent = true;
        if (ex == e && state == State.SENDING) {
            finish();
        }
    }

    private void sendFailed(ClientExchange e, Throwable err) {
        if (ex != e) {
            return;
        }
        if (state == State.HEAD) {
            failHead(err);
        } else if (state == State.SENDING) {
            abort();   // the response came whole while the request body broke: the connection is done
        } else if (state == State.BODY && !(err instanceof ConnectionClosedException)) {
            bodyFailed(err);
        } else {
            broken = true;   // the server may have answered early and closed; the body still reads what came
        }
    }

    private void timedOut(ClientExchange e) {
        if (ex == e && state == State.HEAD) {
            failHead(HttpClientException.responseTimeout(e.uri, e.responseTimeout));
        }
    }

    private void failHead(Throwable error) {
        ClientExchange e = ex;
        abort();
        e.sink.error(error);
    }

    private void bodyFailed(Throwable error) {
        ClientExchange e = ex;
        abort();
        e.body.onError(error);
        e.body = Operators.emptySubscriber();
    }

    private void fail(Throwable error) {
        ClientExchange e = ex;
        abort();
        if (e != null) {
            if (e.body != null) {
                e.body.onError(error);
            } else {
                e.sink.error(error);
            }
        }
    }

    private void requestMore() {
        if (!requested && !eof) {
            requested = true;
            inbound.request(1);
        }
    }

    private void close() {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            broken = true;
            conn.close().subscribe(null, e -> conn.dispose());
            pool.closed(this);
        }
    }

    private void abort() {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            broken = true;
            if (ex != null && ex.timer != null) {
                ex.timer.dispose();
            }
            conn.dispose();
            pool.closed(this);
        }
    }

    /** Whether {@code e} is the exchange being served: the loop only. */
    boolean serving(ClientExchange e) {
        return ex == e;
    }

    @Override
    public String toString() {
        return "http client " + conn;
    }
}
