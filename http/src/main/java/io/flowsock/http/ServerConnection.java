package io.flowsock.http;

import io.flowsock.core.internal.HeapCopy;
import io.flowsock.reactive.Connection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * HTTP/1.1 on one connection: reads requests off {@link Connection#inbound(java.util.function.Function)}
 * one buffer at a time, parses them with Jetty's {@link HttpParser}, runs the handler on each and
 * writes the responses in order.
 *
 * <p><b>Buffers.</b> The inbound is read in loaned mode: each buffer is parsed in place, inside
 * the reader's call, when the loop is free to run there (the usual case: it is on the port
 * thread). A body chunk is then copied for a subscriber of {@link HttpServerRequest#receive()}
 * and lent as it is to one of {@link HttpServerRequest#receive(java.util.function.Function)};
 * whatever the loop leaves unparsed when the call ends (a pipelined request waiting for the
 * response before it, a body waiting for demand) is copied then, and only that. When the loop is
 * busy on another thread, the buffer is copied whole and handed over as before.
 *
 * <p><b>Threading.</b> Every event (a buffer arrived, body demand, a handler's or a write's end,
 * a timeout, shutdown) records itself and runs {@link #drain()}, a serial loop: one thread at a
 * time runs it, any thread may enter, and what arrives meanwhile is seen before it exits. All
 * fields without a comment are confined to that loop.
 *
 * <p><b>Flow.</b> The next buffer is requested only when the loop needs bytes: while it reads a
 * request head, or the body's subscriber has demand, or it drains a body the handler left. A
 * request arriving behind another (pipelining) waits in the buffer until the response before it
 * is written; responses therefore go out in request order, and an unread body never shifts the
 * framing of the next request.
 *
 * <p>Longer than the usual class: the state machine is one piece, and splitting it would spread
 * the fields its steps share across objects that must then agree on who owns them.
 */
final class ServerConnection implements CoreSubscriber<Boolean> {
    private static final Logger LOG = Loggers.getLogger(ServerConnection.class);
    /** Most of an unread body that is read and dropped to keep the connection; beyond it, it is closed. */
    static final int DRAIN_LIMIT = 256 * 1024;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private enum State { HEAD, EXCHANGE, CLOSED }

    private final Connection conn;
    private final BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler;
    private final HttpLimits limits;
    private final ServerConnections all;
    private final RequestParsers parsers;
    /** Lent by {@link #parsers} while a request is read and served; null while the connection waits for one. */
    private RequestParsers.Lent lent;
    private final AtomicInteger wip = new AtomicInteger();

    /** Set once by onSubscribe before any other signal; read by the drain. */
    private volatile Subscription inbound;
    /** Handed over by onNext (one at a time: one is requested at a time), taken by the drain. */
    private volatile ByteBuffer arrived;
    /** Set by inbound's terminal signal; read by the drain. */
    private volatile boolean eof;
    private volatile Throwable inboundError;
    /** Set by the server's dispose (any thread); read by the drain. */
    volatile boolean shutdown;
    /** Written by the drain, read by the timeout sweep: when the current wait ends (System.nanoTime). */
    volatile long deadline;

    private State state = State.HEAD;
    private ByteBuffer pending = NOTHING;
    private boolean pendingLent;   // pending is the inbound's loan: valid only until read() returns
    private boolean requested;
    private boolean drainingInbound;
    private int served;

    // the request head being read
    private boolean headStarted;
    private boolean requestLineSeen;
    private int requestLineBytes;

    // the exchange in progress
    private Exchange ex;

    ServerConnection(Connection conn,
                     BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler,
                     HttpLimits limits, ServerConnections all) {
        this.conn = conn;
        this.handler = handler;
        this.limits = limits;
        this.all = all;
        this.parsers = all.parsers();
        this.deadline = System.nanoTime() + limits.idleTimeout().toNanos();
    }

    /**
     * Loads and initialises the parser's classes on the calling thread. Jetty's first parser
     * reads service files off the class path, which is blocking I/O: done lazily it would happen
     * on the first connection's port thread.
     */
    static void warmUp() {
        HttpParser p = new HttpParser(new ParsedMessage.Request(1), 1024,
                org.eclipse.jetty.http.HttpCompliance.RFC9110);
        p.parseNext(ByteBuffer.wrap("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII)));
        DateHeader.line();
    }

    /** What the TCP server's handler returns: the connection lives until this completes. */
    Mono<Void> serve() {
        all.add(this);
        conn.inbound(this::read).subscribe(this);
        return conn.onClose().doFinally(s -> all.remove(this));
    }

    // ---- inbound: the port thread, one signal at a time ----

    @Override
    public void onSubscribe(Subscription s) {
        inbound = s;
        drain();
    }

    /**
     * The inbound's reader: parses the lent buffer {@code b} in place if the loop is free, else
     * hands over a copy. Either way nothing refers to {@code b} once this returns.
     */
    private Boolean read(ByteBuffer b) {
        if (wip.compareAndSet(0, 1)) {
            requested = false;
            if (state != State.CLOSED) {
                pending = b;
                pendingLent = true;
            }
            loop(1);
        } else {
            arrived = HeapCopy.of(b);
            drain();
        }
        return Boolean.TRUE;
    }

    @Override
    public void onNext(Boolean parsed) {
        // read() did the work while the buffer was lent
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

    // ---- events from elsewhere ----

    void shutdown() {
        shutdown = true;
        drain();
    }

    void timeout(long now) {
        if (now - deadline >= 0) {
            drain();
        }
    }

    // ---- the serial loop ----

    void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        loop(1);
    }

    private void loop(int missed) {
        do {
            try {
                while (step()) {
                    // each step made progress; run until none does
                }
            } catch (RuntimeException | Error e) {
                LOG.warn("flowsock-http: failure serving " + conn + "; closing it abortively", e);
                abort();
            }
            if (pendingLent) {
                // the loan ends with read(): what is left of it is kept as a copy
                pendingLent = false;
                pending = pending.hasRemaining() ? HeapCopy.of(pending) : NOTHING;
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
            if (state != State.CLOSED) {
                pending = a;   // one buffer is requested only once the last is used up
            }
        }
        if (state == State.CLOSED) {
            if (!drainingInbound) {
                drainingInbound = true;   // a graceful close reads until the peer's FIN
                inbound.request(Long.MAX_VALUE);
            }
            return false;
        }
        if (inboundError != null && !(inboundError instanceof io.flowsock.core.ConnectionClosedException)) {
            if (ex != null) {
                ex.request.body.fail(inboundError);
            }
            abort();
            return false;
        }
        return state == State.HEAD ? head() : ex.step();
    }

    private boolean head() {
        long now = System.nanoTime();
        if (now - deadline >= 0) {
            if (headStarted) {
                respondError(408, "the request head did not arrive within " + limits.headerTimeout().toMillis() + " ms");
            } else {
                close();
            }
            return true;
        }
        if (pending.hasRemaining()) {
            if (!headStarted) {
                headStarted = true;
                deadline = now + limits.headerTimeout().toNanos();
                if (lent == null) {
                    lent = parsers.take();
                }
            }
            if (!requestLineSeen && !scanRequestLine()) {
                return true;
            }
            lent.parser.parseNext(pending);
            if (lent.msg.bad != null) {
                respondError(lent.msg.bad.getCode(), lent.msg.bad.getReason());
            } else if (lent.msg.headComplete) {
                dispatch();
            }
            return true;
        }
        if (!headStarted) {
            // waiting for a request: the parser and the last input buffer are not kept meanwhile
            pending = NOTHING;
            giveParserBack();
            if (shutdown) {
                close();
                return true;
            }
        }
        if (eof) {
            if (headStarted && !lent.parser.isStart()) {
                LOG.debug("flowsock-http: {} closed in the middle of a request head", conn);
            }
            close();
            return true;
        }
        requestMore();
        return false;
    }

    /**
     * The last message ended cleanly (the connection waits for the next, or closes after it): the
     * parser, reset, serves whichever connection of this server reads a request next.
     */
    void giveParserBack() {
        if (lent != null) {
            if (!lent.parser.isStart()) {
                lent.parser.reset();   // closing after a request; between requests next() has reset it
            }
            parsers.giveBack(lent);
            lent = null;
        }
    }

    /** Holds the request line to its own limit, which the parser does not know apart from the head's. */
    private boolean scanRequestLine() {
        int from = pending.position();
        int end = pending.limit();
        for (int i = from; i < end; i++) {
            if (pending.get(i) == '\n') {
                requestLineSeen = true;
                requestLineBytes += i - from;
                break;
            }
        }
        if (!requestLineSeen) {
            requestLineBytes += end - from;
        }
        if (requestLineBytes > limits.maxRequestLineLength()) {
            respondError(414, "the request line is longer than " + limits.maxRequestLineLength() + " bytes");
            return false;
        }
        return true;
    }

    private void dispatch() {
        ParsedMessage.Request msg = lent.msg;
        HttpParser parser = lent.parser;
        msg.headComplete = false;
        if (msg.fieldCount > limits.maxHeaders()) {
            respondError(431, "the request has " + msg.fieldCount + " header fields; at most " + limits.maxHeaders()
                    + " are allowed");
            return;
        }
        if (msg.version != HttpVersion.HTTP_1_1 && msg.version != HttpVersion.HTTP_1_0) {
            respondError(505, "HTTP/1.0 and HTTP/1.1 are served here, not " + msg.version);
            return;
        }
        HttpHeaders headers = HttpHeaders.parsed(msg.fields);
        long length = parser.isChunking() ? -1 : Math.max(0, parser.getContentLength());
        if (length > limits.maxBodySize()) {
            respondError(413, "the body is " + length + " bytes; at most " + limits.maxBodySize() + " are allowed");
            return;
        }
        boolean http11 = msg.version == HttpVersion.HTTP_1_1;
        boolean keepAlive = http11 ? !headers.containsToken("Connection", "close")
                : headers.containsToken("Connection", "keep-alive");
        boolean expectContinue = false;
        java.util.Optional<String> expect = headers.get("Expect");
        if (expect.isPresent()) {
            if (!expect.get().equalsIgnoreCase("100-continue")) {
                respondError(417, "Expect: " + expect.get() + " is not supported; only 100-continue is");
                return;
            }
            expectContinue = http11 && !msg.messageComplete;
        }
        RequestBody body = new RequestBody(this);
        ServerRequest request = new ServerRequest(conn, msg.method, msg.uri, http11 ? "HTTP/1.1" : "HTTP/1.0",
                headers, length, keepAlive, expectContinue, body);
        ex = new Exchange(this, request, new ServerResponse(this));
        state = State.EXCHANGE;
        deadline = Long.MAX_VALUE;   // the handler's time is its own; the TCP idle timeouts still watch
        if (!msg.messageComplete && length == 0) {
            // no body: the parser reports the request's end only on the call after its head; take
            // it now (it stops there, before any pipelined request), so the exchange starts whole
            parser.parseNext(pending);
        }
        if (msg.messageComplete) {
            msg.messageComplete = false;
            ex.bodyDone = true;
        }
        ex.run(handler);
    }

    /** The exchange is over and the connection stays: the next request, maybe already here. */
    void next() {
        ex = null;
        served++;
        lent.parser.reset();
        state = State.HEAD;
        headStarted = false;
        requestLineSeen = false;
        requestLineBytes = 0;
        lent.msg.fieldCount = 0;
        deadline = System.nanoTime() + limits.idleTimeout().toNanos();
    }

    boolean mayKeepAlive() {
        // not the peer's FIN: requests it sent before it are still served, then the connection closes
        return !shutdown && (limits.maxRequestsPerConnection() == 0
                || served + 1 < limits.maxRequestsPerConnection());
    }

    // ---- what the exchange asks of the connection ----

    /**
     * Parses more of the body; false when it needs bytes that have not arrived (they are then
     * requested). An empty buffer is parsed too: the end of a body whose last byte came with an
     * earlier buffer is only reported by the next call.
     */
    boolean parseBody() {
        if (eof && !pending.hasRemaining()) {
            lent.parser.atEOF();
        }
        lent.parser.parseNext(pending);
        if (lent.msg.chunk != null) {
            // the parser hands content as a view of what it was given, ending where it stopped
            int n = lent.msg.chunk.remaining();
            lent.msg.chunk = pending.slice(pending.position() - n, n);
            return true;
        }
        if (lent.msg.messageComplete || lent.msg.bad != null || lent.msg.earlyEof || pending.hasRemaining()) {
            return true;
        }
        requestMore();
        return false;
    }

    /** Whether the chunk {@link #takeChunk()} gives is a slice of the inbound's loan, valid only during this step. */
    boolean chunkLent() {
        return pendingLent;
    }

    /** The body chunk the parser reported last, as a slice of the input buffer; null if none. */
    ByteBuffer takeChunk() {
        ByteBuffer c = lent.msg.chunk;
        lent.msg.chunk = null;
        return c;
    }

    /** What ends a body, as the parser reported it last: BAD (see {@link #bad()}), EARLY_EOF, COMPLETE; else NONE. */
    enum BodyEnd { NONE, BAD, EARLY_EOF, COMPLETE }

    BodyEnd takeBodyEnd() {
        BodyEnd end = lent.msg.bad != null ? BodyEnd.BAD : lent.msg.earlyEof ? BodyEnd.EARLY_EOF
                : lent.msg.messageComplete ? BodyEnd.COMPLETE : BodyEnd.NONE;
        lent.msg.messageComplete = false;
        lent.msg.earlyEof = false;
        return end;
    }

    boolean atEof() {
        return eof;
    }

    HttpException bad() {
        return lent.msg.bad;
    }

    void sendContinue() {
        conn.send(Mono.just(ByteBuffer.wrap(CONTINUE))).subscribe(null, e -> { });
    }

    Connection connection() {
        return conn;
    }

    HttpLimits limits() {
        return limits;
    }

    private void requestMore() {
        if (!requested && !eof) {
            requested = true;
            inbound.request(1);
        }
    }

    /** An error response of the server's own to a request it will not serve, then a graceful close. */
    void respondError(int status, String reason) {
        LOG.debug("flowsock-http: {} answered {}: {}", conn, status, reason);
        byte[] text = (status + " " + HttpStatus.reason(status) + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        Ascii out = new Ascii(256 + text.length);
        HttpStatus.statusLine(out, status);
        out.append("Content-Type: text/plain; charset=utf-8\r\nContent-Length: ").append(text.length).crlf()
                .append("Connection: close\r\n").append(DateHeader.line()).crlf().append(text);
        state = State.CLOSED;
        conn.send(Mono.just(out.toBuffer())).then(conn.close()).subscribe(null, e -> conn.dispose());
        all.remove(this);
    }

    void close() {
        state = State.CLOSED;
        conn.close().subscribe(null, e -> conn.dispose());
        all.remove(this);
    }

    void abort() {
        state = State.CLOSED;
        conn.dispose();
        all.remove(this);
    }

    @Override
    public String toString() {
        return "http " + conn;
    }
}
