package io.flowsock.http;

import io.flowsock.core.internal.HeapCopy;
import io.flowsock.reactive.Connection;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
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
 * is queued whole, its body read, and the connection known to stay ({@link #mayReadAhead()}:
 * inside the delivery of the buffer that holds it, up to {@link Pipeline#READ_AHEAD} answers deep); else
 * until that response is written. Responses therefore go out in request order, the answers to
 * one buffer's requests in one write, and an unread body never shifts the framing of the next
 * request.
 *
 * <p>Split by concern: {@link RequestInput} holds the input buffer and the lent parser,
 * {@link Exchange} one request and its answer, {@link Pipeline} the answers on their way out.
 */
final class ServerConnection implements CoreSubscriber<Boolean>, WebSocketHost {
    private static final Logger LOG = Loggers.getLogger(ServerConnection.class);
    /** Most of an unread body that is read and dropped to keep the connection; beyond it, it is closed. */
    static final int DRAIN_LIMIT = 256 * 1024;

    private enum State { HEAD, EXCHANGE, WEBSOCKET, CLOSED }

    private final Connection conn;
    private final BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler;
    private final HttpLimits limits;
    private final ServerConnections all;
    private final RequestInput input;
    private final Pipeline pipeline;
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
    private boolean requested;
    private boolean askMore;   // one buffer is to be requested when the loop exits
    private boolean drainingInbound;
    private int served;

    private Exchange ex;   // the exchange in progress
    private WebSocketSession ws;   // after an upgrade: the connection is this WebSocket's

    ServerConnection(Connection conn,
                     BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler,
                     HttpLimits limits, ServerConnections all) {
        this.conn = conn;
        this.handler = handler;
        this.limits = limits;
        this.all = all;
        this.input = new RequestInput(all.parsers());
        this.pipeline = new Pipeline(conn);
        this.deadline = System.nanoTime() + limits.idleTimeout().toNanos();
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
                input.arrived(b, true);
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

    @Override
    public void drain() {
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
            pipeline.flush();   // before the loan ends: the write waits for the delivery's end, then takes it all
            input.endLoan();    // the loan ends with read(): what is left of it is kept as a copy
            boolean ask = askMore;
            askMore = false;
            missed = wip.addAndGet(-missed);
            if (ask) {
                // asked once the loop is let go: a read that completes inside request() (NIO.2 and
                // the selector backend complete one at once when the bytes are there) then finds
                // the loop free and is parsed in place, lent, rather than copied and handed over
                inbound.request(1);
            }
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
                input.arrived(a, false);   // one buffer is requested only once the last is used up
            }
        }
        if (state == State.CLOSED) {
            if (ws != null) {
                ws.closedStep();
            }
            if (!drainingInbound) {
                drainingInbound = true;   // a graceful close reads until the peer's FIN
                inbound.request(Long.MAX_VALUE);
            }
            return false;
        }
        if (!pipeline.settle()) {
            return false;
        }
        if (inboundError != null && !(inboundError instanceof io.flowsock.core.ConnectionClosedException)) {
            if (ex != null) {
                ex.request.body.fail(inboundError);
            }
            abort();
            return false;
        }
        return state == State.HEAD ? head() : state == State.WEBSOCKET ? ws.step() : ex.step();
    }

    private boolean head() {
        long now = System.nanoTime();
        if (now - deadline >= 0) {
            if (input.headStarted()) {
                respondError(408, "the request head did not arrive within " + limits.headerTimeout().toMillis() + " ms");
            } else {
                close();
            }
            return true;
        }
        if (input.hasRemaining()) {
            if (!input.headStarted()) {
                input.startHead();
                deadline = now + limits.headerTimeout().toNanos();
            }
            // the request line has a limit of its own, which the parser does not know apart from the head's
            if (input.requestLineOver(limits.maxRequestLineLength())) {
                respondError(414, "the request line is longer than " + limits.maxRequestLineLength() + " bytes");
                return true;
            }
            input.parse();
            ParsedMessage.Request msg = input.msg();
            if (msg.bad != null) {
                respondError(msg.bad.getCode(), msg.bad.getReason());
            } else if (msg.headComplete) {
                dispatch();
            }
            return true;
        }
        if (!input.headStarted()) {
            input.idle();
            if (shutdown) {
                close();
                return true;
            }
        }
        if (eof) {
            if (input.headStarted() && input.inMessage()) {
                LOG.debug("flowsock-http: {} closed in the middle of a request head", conn);
            }
            close();
            return true;
        }
        requestMore();
        return false;
    }

    private void dispatch() {
        ParsedMessage.Request msg = input.msg();
        HttpParser parser = input.parser();
        msg.headComplete = false;
        if (msg.refused(parser, limits)) {
            respondError(msg.bad.getCode(), msg.bad.getReason());
            return;
        }
        HttpHeaders headers = HttpHeaders.parsed(msg.fields);
        long length = parser.isChunking() ? -1 : Math.max(0, parser.getContentLength());
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
        ex = new Exchange(this, input, pipeline, request, new ServerResponse(this));
        state = State.EXCHANGE;
        deadline = Long.MAX_VALUE;   // the handler's time is its own; the TCP idle timeouts still watch
        if (!msg.messageComplete && length == 0) {
            // no body: the parser reports the request's end only on the call after its head; take
            // it now (it stops there, before any pipelined request), so the exchange starts whole
            input.parse();
        }
        if (msg.messageComplete) {
            msg.messageComplete = false;
            ex.bodyDone = true;
        }
        ex.run(handler);
    }

    /**
     * The exchange's answer was a 101 to a WebSocket handshake, queued: from here on the input is
     * the session's, and the connection serves no more requests.
     */
    void upgrade(WebSocketSession session) {
        ex = null;
        served++;
        input.giveParserBack();
        state = State.WEBSOCKET;
        deadline = Long.MAX_VALUE;   // the session sets it while it waits for the peer's close frame
        ws = session;
        pipeline.flush();            // the 101 goes ahead of the session's stream
        session.start();
    }

    /** The exchange is over and the connection stays: the next request, maybe already here. */
    void next() {
        ex = null;
        served++;
        input.nextMessage();
        state = State.HEAD;
        deadline = System.nanoTime() + limits.idleTimeout().toNanos();
    }

    /**
     * Whether the next request may be read before the answer to this one is written: only inside
     * the inbound's delivery (the port thread, where a send is queued at once, so answers stay in
     * order; and where writes wait for the delivery's end, so the answers go out together), only
     * when the next request's bytes are already here, and only {@link Pipeline#READ_AHEAD} deep, so a
     * client that pipelines without reading holds at most that many answers in memory.
     */
    boolean mayReadAhead() {
        return input.isLoan() && input.hasRemaining() && pipeline.hasRoom();
    }

    /** The exchange's whole answer is queued: it ends by itself (see {@link Exchange#settled()}); the next request is read. */
    void retire(Exchange e) {
        pipeline.retire(e);
        next();
    }

    /** Whether answers are gathered into one write: inside a read's delivery, where writes wait for its end anyway. */
    boolean gathers() {
        return input.isLoan();
    }

    boolean mayKeepAlive() {
        // not the peer's FIN: requests it sent before it are still served, then the connection closes
        return !shutdown && (limits.maxRequestsPerConnection() == 0
                || served + 1 < limits.maxRequestsPerConnection());
    }

    // ---- what the exchange asks of the connection ----

    /** Parses more of the body; false when it needs bytes that have not arrived (they are then requested). */
    boolean parseBody() {
        if (input.parseBody(eof)) {
            return true;
        }
        requestMore();
        return false;
    }

    @Override
    public boolean atEof() {
        return eof;
    }

    @Override
    public Connection connection() {
        return conn;
    }

    @Override
    public ByteBuffer pending() {
        return input.pending();
    }

    @Override
    public boolean shuttingDown() {
        return shutdown;
    }

    @Override
    public long deadline() {
        return deadline;
    }

    @Override
    public void deadline(long nanos) {
        deadline = nanos;   // the server's sweep of its connections' deadlines runs the loop then
    }

    HttpLimits limits() {
        return limits;
    }

    @Override
    public void requestMore() {
        if (!requested && !eof) {
            requested = true;
            askMore = true;   // the loop asks as it exits
        }
    }

    /** An error response of the server's own to a request it will not serve, then a graceful close. */
    void respondError(int status, String reason) {
        LOG.debug("flowsock-http: {} answered {}: {}", conn, status, reason);
        ByteBuffer answer = HttpStatus.errorAnswer(status, reason, "");
        state = State.CLOSED;
        pipeline.flush();
        conn.send(Mono.just(answer)).then(conn.close()).subscribe(null, e -> conn.dispose());
        all.remove(this);
    }

    @Override
    public void close() {
        state = State.CLOSED;
        pipeline.flush();   // answers gathered go out before the FIN
        conn.close().subscribe(null, e -> conn.dispose());
        all.remove(this);
        // the loop's next step reads on to the peer's FIN, which the graceful close waits for: a
        // WebSocket that failed had stopped reading, and nothing else would run that step
        drain();
    }

    @Override
    public void abort() {
        state = State.CLOSED;
        pipeline.flush();   // sent to a connection about to go: their ends hear that it went
        conn.dispose();
        all.remove(this);
    }

    @Override
    public String toString() {
        return "http " + conn;
    }
}
