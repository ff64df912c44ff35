package io.flowsock.http;

import io.flowsock.reactive.Connection;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.concurrent.Queues;

/**
 * The WebSocket an upgraded {@link ServerConnection} serves: it decodes the input its connection's
 * loop holds into messages as {@link #receive()} asks, answers pings and close frames, and writes
 * one outbound stream on the connection that carries the application's sends and the control
 * frames between them.
 *
 * <p><b>Threading.</b> {@link #step()} runs in the connection's serial loop; everything from other
 * threads (demand, a send, a close, the function's end) records itself and runs the loop. Fields
 * without a comment are confined to the loop.
 *
 * <p><b>Outbound.</b> One {@code conn.send} for the WebSocket's life: control frames merged with
 * the application's sends one message at a time, so a pong never waits behind a whole stream; the
 * stream ends right after the close frame, which cancels whatever send was still running.
 */
final class WebSocketSession implements WebSocket {
    private static final Logger LOG = Loggers.getLogger(WebSocketSession.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** What a response's {@code sendWebSocket} asked for: carried to the exchange in its Body. */
    record Upgrade(WebSocketSpec spec, Function<? super WebSocket, ? extends Publisher<Void>> fn) { }

    private final ServerConnection owner;
    private final RequestInput input;
    private final Connection conn;
    private final ServerRequest request;
    private final WebSocketSpec spec;
    private final String subprotocol;
    private final Function<? super WebSocket, ? extends Publisher<Void>> fn;
    private final ServerResponse.Sent sent;   // the sendWebSocket Mono's subscriber: told when the TCP connection is closed
    private final WebSocketFrames.Decoder decoder;

    private static final AtomicIntegerFieldUpdater<WebSocketSession> RECEIVE_TAKEN =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketSession.class, "receiveTaken");
    private static final AtomicIntegerFieldUpdater<WebSocketSession> RECEIVE_ENDED =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketSession.class, "receiveEnded");
    private static final AtomicReferenceFieldUpdater<WebSocketSession, WebSocketClose> CLOSE_ASKED =
            AtomicReferenceFieldUpdater.newUpdater(WebSocketSession.class, WebSocketClose.class, "closeAsked");
    private static final AtomicLongFieldUpdater<WebSocketSession> DEMAND =
            AtomicLongFieldUpdater.newUpdater(WebSocketSession.class, "demand");
    private volatile int receiveTaken;
    private volatile int receiveEnded;           // 1 once receive's terminal signal went out
    /** Written by receive's subscribe, read by the loop, which alone signals it. */
    private volatile CoreSubscriber<? super WebSocketMessage> receiver;
    /** Added to by receive's request on any thread, taken from by the loop. */
    private volatile long demand;
    private volatile boolean receiveCancelled;
    /** How receive ends: set by the loop (or the close of the connection) before it is signalled. */
    private volatile Throwable receiveError;
    private volatile boolean receiveDone;
    /** The first close() asked, from any thread. */
    private volatile WebSocketClose closeAsked;
    /** A send subscribed on any thread: its frames, and its Mono's sink. */
    private record Pending(Flux<ByteBuffer> frames, MonoSink<Void> done) { }
    /** Sends subscribed on any thread, taken into the outbound stream by the loop. */
    private final Queue<Pending> sendsAsked = new ConcurrentLinkedQueue<>();
    /** Every send whose Mono has not ended: failed when the connection closes (a queued send may never run). */
    private final Queue<MonoSink<Void>> unfinished = new ConcurrentLinkedQueue<>();
    /** Set by the function's Publisher (any thread). */
    private volatile boolean fnDone;
    private volatile Throwable fnError;
    private volatile Subscription fnSubscription;
    /** Set by the outbound stream's end (a port thread). */
    private volatile boolean wireDone;
    /** The peer's close frame, or the error this side failed the WebSocket with (RFC 6455, 7.1.5 and 7.1.7). */
    private volatile WebSocketClose peerClose;
    private volatile WebSocketClose failure;
    private volatile boolean tcpClosed;
    private volatile boolean closeSent;      // written by the loop, read by isOpen and send on any thread
    private volatile boolean closeReceived;  // likewise
    private final Sinks.One<WebSocketClose> onClose = Sinks.one();

    // small linked queues: an idle WebSocket holds a few slots, not Reactor's default 256-slot arrays
    private final Sinks.Many<ByteBuffer> control =
            Sinks.many().unicast().onBackpressureBuffer(Queues.<ByteBuffer>unbounded(8).get());
    private final Sinks.Many<Flux<ByteBuffer>> sends =
            Sinks.many().unicast().onBackpressureBuffer(Queues.<Flux<ByteBuffer>>unbounded(4).get());
    private ByteBuffer closeFrame;   // the close frame's buffer: the outbound stream ends after it
    private Disposable wire;
    /** Messages read ahead of demand, at most maxMessageSize bytes of them (one message at least). */
    private final java.util.ArrayDeque<WebSocketFrames.Frame> held = new java.util.ArrayDeque<>(2);
    private long heldBytes;
    private boolean peerFin;              // the peer's FIN came without a close frame
    private boolean failFast;             // a protocol error: the TCP connection closes once the close frame is out
    private boolean tcpClosing;

    WebSocketSession(ServerConnection owner, RequestInput input, ServerRequest request, Upgrade upgrade,
                     String subprotocol, ServerResponse.Sent sent) {
        this.owner = owner;
        this.input = input;
        this.conn = owner.connection();
        this.request = request;
        this.spec = upgrade.spec();
        this.fn = upgrade.fn();
        this.subprotocol = subprotocol;
        this.sent = sent;
        this.decoder = new WebSocketFrames.Decoder(spec.maxMessageSize());
    }

    // ---- the handshake ----

    /** Why {@code r} is no WebSocket handshake (RFC 6455, 4.2.1), or null when it is one. */
    static String refusal(ServerRequest r) {
        HttpHeaders h = r.headers();
        if (!r.method().equals("GET")) {
            return "a WebSocket handshake is a GET, not " + r.method();
        }
        if (!r.version().equals("HTTP/1.1")) {
            return "a WebSocket handshake is HTTP/1.1, not " + r.version();
        }
        if (!h.containsToken("Upgrade", "websocket")) {
            return "a WebSocket handshake has Upgrade: websocket";
        }
        if (!h.containsToken("Connection", "upgrade")) {
            return "a WebSocket handshake has Connection: Upgrade";
        }
        String version = h.get("Sec-WebSocket-Version").orElse("");
        if (!version.equals("13")) {
            return "Sec-WebSocket-Version must be 13, was \"" + version + "\"";
        }
        String key = h.get("Sec-WebSocket-Key").orElse("");
        if (!WebSocketFrames.validKey(key)) {
            return "Sec-WebSocket-Key must be 16 bytes in base64, was \"" + key + "\"";
        }
        if (r.contentLength().orElse(1) != 0) {
            return "a WebSocket handshake has no body";
        }
        return null;
    }

    /** The subprotocol to answer with: the spec's, if the client offered it; else null. */
    static String agreed(ServerRequest r, WebSocketSpec spec) {
        String p = spec.subprotocol();
        return p != null && r.headers().containsToken("Sec-WebSocket-Protocol", p) ? p : null;
    }

    /** Starts the session once the 101 is queued: the outbound stream, then the function. */
    void start() {
        Flux<ByteBuffer> out = Flux.merge(1, control.asFlux(), Flux.concat(sends.asFlux(), 1))
                .takeUntil(b -> b == closeFrame);
        wire = conn.send(out).subscribe(null, e -> {
            LOG.debug("flowsock-http: the WebSocket on {} failed to write", conn, e);
            wireDone = true;
            owner.drain();
        }, () -> {
            wireDone = true;
            owner.drain();
        });
        conn.onClose().subscribe(null, e -> closed(), this::closed);
        Publisher<Void> p;
        try {
            p = Objects.requireNonNull(fn.apply(this), "the WebSocket function returned null");
        } catch (RuntimeException e) {
            fnError = e;
            fnDone = true;
            return;
        }
        p.subscribe(new CoreSubscriber<Void>() {
            @Override
            public void onSubscribe(Subscription s) {
                fnSubscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Void v) {
            }

            @Override
            public void onError(Throwable e) {
                fnError = e;
                fnDone = true;
                owner.drain();
            }

            @Override
            public void onComplete() {
                fnDone = true;
                owner.drain();
            }
        });
    }

    // ---- the loop ----

    /** One step of the connection's loop; true when it made progress. */
    boolean step() {
        boolean progress = false;
        for (Pending s; (s = sendsAsked.poll()) != null; ) {
            if (closeSent) {
                s.done().error(new IllegalStateException("the WebSocket is closed: nothing more can be sent"));
            } else {
                sends.tryEmitNext(s.frames());
            }
            progress = true;
        }
        if (!closeSent) {
            WebSocketClose want = closeAsked;
            if (want == null && owner.shutdown) {
                want = new WebSocketClose(WebSocketClose.GOING_AWAY, "the server is shutting down");
            }
            if (want == null && fnDone) {
                Throwable e = fnError;
                if (e != null) {
                    LOG.debug("flowsock-http: the WebSocket function failed on {}", conn, e);
                }
                want = e == null ? new WebSocketClose(WebSocketClose.NORMAL, "")
                        : new WebSocketClose(WebSocketClose.INTERNAL_ERROR, "");
            }
            if (want != null) {
                sendClose(want);
                progress = true;
            }
        }
        if (tcpClosing) {
            return false;
        }
        if (closeSent && wireDone && closeReceived) {
            // the closing handshake is over: nothing the peer sends now counts, and a client waits
            // for the server to close first (RFC 6455, 7.1.1), so no FIN of its own is awaited
            tcpClosing = true;
            owner.abort();
            return false;
        }
        if (closeSent && wireDone && failFast) {
            closeTcp();
            return false;
        }
        if (closeSent && !closeReceived && System.nanoTime() - owner.deadline >= 0) {
            LOG.debug("flowsock-http: the peer of {} sent no close frame within {}; closing", conn, spec.closeTimeout());
            closeTcp();
            return false;
        }
        progress |= deliver();
        if (peerFin) {
            if (held.isEmpty() || receiveCancelled || System.nanoTime() - owner.deadline >= 0) {
                closeTcp();
            }
            return progress;
        }
        ByteBuffer in = input.pending();
        while (!failFast && in.hasRemaining() && wantsInput()) {
            WebSocketFrames.Frame f;
            try {
                f = decoder.next(in);
            } catch (WebSocketException e) {
                fail(e);
                return true;
            }
            if (f == null) {
                break;
            }
            progress = true;
            frame(f);
        }
        if (!in.hasRemaining() && !failFast) {
            if (owner.atEof()) {
                peerGone();
                return true;
            }
            if (wantsInput()) {
                owner.requestMore();
            }
        }
        return progress;
    }

    /**
     * Whether to read: while what is read ahead of demand stays under maxMessageSize bytes (so
     * pings are answered and a close is seen while the application is busy or only sends), or
     * always when what comes is dropped (after this side's close, or receive was cancelled).
     */
    private boolean wantsInput() {
        if (closeReceived) {
            return false;
        }
        return closeSent || receiveCancelled || heldBytes < spec.maxMessageSize();
    }

    /** Gives the messages read ahead as demand allows, then receive's end once they are all given. */
    private boolean deliver() {
        boolean progress = false;
        if (receiveCancelled && !held.isEmpty()) {
            held.clear();
            heldBytes = 0;
            progress = true;
        }
        CoreSubscriber<? super WebSocketMessage> r = receiver;
        while (r != null && !receiveCancelled && !held.isEmpty() && demand > 0) {
            WebSocketFrames.Frame f = held.poll();
            heldBytes -= f.payload().remaining();
            if (demand != Long.MAX_VALUE) {
                DEMAND.decrementAndGet(this);
            }
            r.onNext(new WebSocketMessage(f.opcode() == WebSocketFrames.TEXT ? WebSocketMessage.Type.TEXT
                    : f.opcode() == WebSocketFrames.BINARY ? WebSocketMessage.Type.BINARY
                    : WebSocketMessage.Type.PONG, f.payload()));
            progress = true;
        }
        if (r != null && !receiveCancelled && held.isEmpty() && (receiveDone || receiveError != null)) {
            endReceive(r);
        }
        return progress;
    }

    private void frame(WebSocketFrames.Frame f) {
        switch (f.opcode()) {
            case WebSocketFrames.PING -> {
                if (!closeSent) {
                    control.tryEmitNext(WebSocketFrames.encode(WebSocketFrames.PONG, f.payload())[0]);
                }
            }
            case WebSocketFrames.CLOSE -> {
                WebSocketClose c;
                try {
                    c = WebSocketFrames.closeOf(f.payload());
                } catch (WebSocketException e) {
                    fail(e);
                    return;
                }
                closeReceived = true;
                peerClose = c;
                receiveDone = true;
                deliver();   // first: a send fed by receive then ends by itself, before the close cuts the sends
                if (!closeSent) {
                    sendClose(c);   // the RFC's echo of the status it received
                }
            }
            default -> {
                // text, binary or pong: given when wanted; after this side's close, or with nobody
                // to receive it, dropped
                if (!closeSent && !receiveCancelled) {
                    held.add(f);
                    heldBytes += f.payload().remaining();
                    deliver();
                }
            }
        }
    }

    /** Sends the close frame (after anything already queued) and ends the outbound stream after it. */
    private void sendClose(WebSocketClose c) {
        closeSent = true;
        ByteBuffer payload = c.code() == WebSocketClose.NO_STATUS ? EMPTY : WebSocketFrames.closePayload(c.code(), c.reason());
        closeFrame = WebSocketFrames.encode(WebSocketFrames.CLOSE, payload)[0];
        control.tryEmitNext(closeFrame);
        control.tryEmitComplete();
        sends.tryEmitComplete();
        owner.deadline = System.nanoTime() + spec.closeTimeout().toNanos();
    }

    /** Fails the WebSocket (RFC 6455, 7.1.7): the close frame with the error's code, then the TCP close. */
    private void fail(WebSocketException e) {
        LOG.debug("flowsock-http: closing the WebSocket on {} with {}: {}", conn, e.closeCode(), e.getMessage());
        failFast = true;
        held.clear();
        heldBytes = 0;
        receiveError = e;
        failure = new WebSocketClose(e.closeCode(), e.getMessage());
        deliver();   // first, as for a peer's close
        if (!closeSent) {
            String reason = e.getMessage();
            sendClose(new WebSocketClose(e.closeCode(), reason.length() > 60 ? reason.substring(0, 60) : reason));
        }
    }

    /** The peer's FIN without a close frame: 1006, and the connection goes. */
    private void peerGone() {
        receiveDone = true;
        peerFin = true;
        deliver();
        if (held.isEmpty()) {
            closeTcp();
        } else {
            // what was read ahead is still given, for at most closeTimeout
            owner.deadline = Math.min(owner.deadline, System.nanoTime() + spec.closeTimeout().toNanos());
        }
    }

    private void closeTcp() {
        tcpClosing = true;
        if (!wireDone && wire != null) {
            wire.dispose();   // a peer that is gone or silent is sent nothing more
        }
        owner.close();
    }

    /** The TCP connection is closed (any thread): everything left is told how it ended. */
    private void closed() {
        WebSocketClose c = peerClose != null ? peerClose : failure != null ? failure
                : new WebSocketClose(WebSocketClose.ABNORMAL, "");
        if (receiveError == null) {
            receiveDone = true;
        }
        tcpClosed = true;
        owner.drain();   // receive's end goes out from the loop (closedStep), after what was read ahead
        IllegalStateException gone = new IllegalStateException("the WebSocket closed (" + c.code() + ") before this send ended");
        for (MonoSink<Void> d; (d = unfinished.poll()) != null; ) {
            d.error(gone);
        }
        Subscription s = fnSubscription;
        if (s != null && !fnDone) {
            s.cancel();
        }
        onClose.tryEmitValue(c);
        Throwable e = fnError;
        if (e != null) {
            sent.error(e);
        } else {
            sent.success();
        }
    }

    private void endReceive(CoreSubscriber<? super WebSocketMessage> r) {
        if (RECEIVE_ENDED.compareAndSet(this, 0, 1)) {
            Throwable e = receiveError;
            if (e != null) {
                r.onError(e);
            } else {
                r.onComplete();
            }
        }
    }

    /**
     * The connection's loop after the TCP connection closed: what was read ahead is still given
     * as demand comes, then receive's end. Nothing else runs here any more.
     */
    void closedStep() {
        deliver();
    }

    // ---- the application's side (any thread) ----

    @Override
    public HttpServerRequest request() {
        return request;
    }

    @Override
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public Flux<WebSocketMessage> receive() {
        return new Received();
    }

    /**
     * receive()'s Flux and its subscription: signals come only from the connection's loop, which
     * gives a message per unit of demand; no queue of its own (what is read ahead waits in {@link #held}).
     */
    private final class Received extends Flux<WebSocketMessage> implements Subscription {
        @Override
        public void subscribe(CoreSubscriber<? super WebSocketMessage> actual) {
            if (!RECEIVE_TAKEN.compareAndSet(WebSocketSession.this, 0, 1)) {
                Operators.error(actual, new IllegalStateException("receive() has one subscriber, and it is taken"));
                return;
            }
            actual.onSubscribe(this);
            receiver = actual;
            owner.drain();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                receiveError = new IllegalArgumentException("§3.9: request must be positive, was " + n);
                receiveDone = true;
            } else {
                Operators.addCap(DEMAND, WebSocketSession.this, n);
            }
            owner.drain();
        }

        @Override
        public void cancel() {
            receiveCancelled = true;
            owner.drain();
        }
    }

    @Override
    public Mono<Void> send(Publisher<WebSocketMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        return Mono.create(done -> {
            if (closeSent || closeReceived) {
                done.error(new IllegalStateException("the WebSocket is closed: nothing more can be sent"));
                return;
            }
            unfinished.add(done);
            done.onDispose(() -> unfinished.remove(done));
            sendsAsked.add(new Pending(frames(messages, done), done));
            owner.drain();
        });
    }

    /** The wire form of a send; its end tells the send's Mono, and a failure closes the WebSocket with 1011. */
    private Flux<ByteBuffer> frames(Publisher<WebSocketMessage> messages, MonoSink<Void> done) {
        return Flux.from(messages)
                // one message at a time: conn.send asks for sendcap buffers, and a queue of one is all
                // an idle WebSocket then holds (the default prefetch is a 256-slot queue per send)
                .concatMapIterable(m -> Arrays.asList(WebSocketFrames.encode(opcode(m.type()), m.payload())), 1)
                .doOnComplete(done::success)
                .doOnCancel(() -> done.error(new IllegalStateException(
                        "the WebSocket closed before this send ended")))
                .onErrorResume(e -> {
                    done.error(e);
                    CLOSE_ASKED.compareAndSet(this, null, new WebSocketClose(WebSocketClose.INTERNAL_ERROR, ""));
                    owner.drain();
                    return Mono.empty();
                });
    }

    private static int opcode(WebSocketMessage.Type t) {
        return switch (t) {
            case TEXT -> WebSocketFrames.TEXT;
            case BINARY -> WebSocketFrames.BINARY;
            case PING -> WebSocketFrames.PING;
            case PONG -> WebSocketFrames.PONG;
        };
    }

    @Override
    public Mono<Void> close(int code, String reason) {
        if (!WebSocketClose.sendable(code)) {
            throw new IllegalArgumentException("a close status must be 1000-1003, 1007-1011 or 3000-4999, was " + code);
        }
        Objects.requireNonNull(reason, "reason");
        WebSocketFrames.closePayload(code, reason);   // checks the reason's length
        return Mono.defer(() -> {
            CLOSE_ASKED.compareAndSet(this, null, new WebSocketClose(code, reason));
            owner.drain();
            return conn.onClose();
        });
    }

    @Override
    public boolean isOpen() {
        return !closeSent && !closeReceived && !tcpClosed;
    }

    @Override
    public Mono<WebSocketClose> onClose() {
        return onClose.asMono();
    }

    @Override
    public String toString() {
        return "WebSocket " + request.path() + " on " + conn;
    }
}

