package io.flowsock.http;

import io.flowsock.reactive.Connection;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * The WebSocket an upgraded connection serves, on either side: on the server, the
 * {@link ServerConnection} a handshake upgraded; on the client, a {@link WebSocketClientConnection}.
 * It decodes the input its connection's loop holds into messages for its {@link WebSocketInbound}
 * while that has room, answers pings and close frames through its {@link WebSocketOutbound}, and
 * runs the closing handshake (RFC 6455, 7). The two sides differ in three things: a client masks
 * what it sends and a server does not; each refuses the other's kind of frame; and after the
 * closing handshake the server closes the TCP connection at once, while the client waits for it
 * to (at most {@code closeTimeout}), as RFC 6455, 7.1.1 asks.
 *
 * <p><b>Threading.</b> {@link #step()} runs in the connection's serial loop; everything from other
 * threads (demand, a send, a close, the function's end) records itself and runs the loop. Fields
 * without a comment are confined to the loop.
 */
final class WebSocketSession implements WebSocket {
    private static final Logger LOG = Loggers.getLogger(WebSocketSession.class);

    /** What a response's {@code sendWebSocket} asked for: carried to the exchange in its Body. */
    record Upgrade(WebSocketSpec spec, Function<? super WebSocket, ? extends Publisher<Void>> fn) { }

    /** Who hears how a session ended, once the TCP connection is closed: the server's send Mono, the client's handle Mono. */
    interface Ended {
        /** The function succeeded. */
        void ended();

        /** The function failed with {@code e}. */
        void failed(Throwable e);
    }

    private final WebSocketHost owner;
    private final boolean client;
    private final Connection conn;
    private final HttpHeaders handshake;   // the upgrade request's (server) or the 101's (client) fields
    private final String label;
    private final WebSocketSpec spec;
    private final String subprotocol;
    private final Function<? super WebSocket, ? extends Publisher<Void>> fn;
    private final WebSocketSession.Ended ended;
    private final WebSocketFrames.Decoder decoder;
    private final WebSocketInbound inbound;
    private final WebSocketOutbound outbound;

    private static final AtomicReferenceFieldUpdater<WebSocketSession, WebSocketClose> CLOSE_ASKED =
            AtomicReferenceFieldUpdater.newUpdater(WebSocketSession.class, WebSocketClose.class, "closeAsked");
    /** The first close() asked, from any thread. */
    private volatile WebSocketClose closeAsked;
    /** Set by the function's Publisher (any thread). */
    private volatile boolean fnDone;
    private volatile Throwable fnError;
    private volatile Subscription fnSubscription;
    /** The peer's close frame, or the error this side failed the WebSocket with (RFC 6455, 7.1.5 and 7.1.7). */
    private volatile WebSocketClose peerClose;
    private volatile WebSocketClose failure;
    private volatile boolean tcpClosed;
    private volatile boolean closeSent;      // written by the loop, read by isOpen and send on any thread
    private volatile boolean closeReceived;  // likewise
    private final Sinks.One<WebSocketClose> onClose = Sinks.one();
    private boolean peerFin;              // the peer's FIN came without a close frame
    private boolean failFast;             // a protocol error: the TCP connection closes once the close frame is out
    private boolean tcpClosing;
    private boolean awaitingFin;          // the client, after the closing handshake: the server's FIN is awaited

    /**
     * @param client    whether this is the client's side
     * @param handshake the header fields of the handshake's other half: the upgrade request on the
     *                  server, the 101 on the client
     * @param label     what {@link #toString()} names: the path
     * @param deflate   permessage-deflate as agreed in the handshake, or null
     * @param ended     told once the TCP connection is closed, whether the function succeeded
     */
    WebSocketSession(WebSocketHost owner, boolean client, HttpHeaders handshake, String label, WebSocketSpec spec,
                     Function<? super WebSocket, ? extends Publisher<Void>> fn, String subprotocol,
                     PerMessageDeflate deflate, WebSocketSession.Ended ended) {
        this.owner = owner;
        this.client = client;
        this.conn = owner.connection();
        this.handshake = handshake;
        this.label = label;
        this.spec = spec;
        this.fn = fn;
        this.subprotocol = subprotocol;
        this.ended = ended;
        this.decoder = new WebSocketFrames.Decoder(spec.maxMessageSize(), !client, deflate);
        this.inbound = new WebSocketInbound(owner);
        this.outbound = new WebSocketOutbound(owner, client, deflate, () -> {
            CLOSE_ASKED.compareAndSet(this, null, new WebSocketClose(WebSocketClose.INTERNAL_ERROR, ""));
            owner.drain();
        });
    }

    /** Starts the session once the 101 is queued: the outbound stream, then the function. */
    void start() {
        outbound.start();
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
        boolean progress = outbound.takeSends(closeSent);
        if (!closeSent) {
            WebSocketClose want = closeAsked;
            if (want == null && owner.shuttingDown()) {
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
        if (closeSent && outbound.isDone() && closeReceived) {
            if (!client) {
                // the closing handshake is over: nothing the peer sends now counts, and a client waits
                // for the server to close first (RFC 6455, 7.1.1), so no FIN of its own is awaited
                tcpClosing = true;
                owner.abort();
                return false;
            }
            return awaitServerClose();
        }
        if (closeSent && outbound.isDone() && failFast) {
            closeTcp();
            return false;
        }
        if (closeSent && System.nanoTime() - owner.deadline() >= 0) {
            // no close frame from the peer in time, or ours still unwritten (a peer that stopped reading)
            LOG.debug("flowsock-http: the closing handshake of {} did not end within {}; closing", conn,
                    spec.closeTimeout());
            closeTcp();
            return false;
        }
        progress |= inbound.deliver();
        if (peerFin) {
            if (inbound.isEmpty() || inbound.isCancelled() || System.nanoTime() - owner.deadline() >= 0) {
                closeTcp();
            }
            return progress;
        }
        ByteBuffer in = owner.pending();
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
     * The client after the closing handshake: it reads (and drops) until the server closes the TCP
     * connection, then closes its own side; a server that does not within closeTimeout is cut off.
     */
    private boolean awaitServerClose() {
        if (!awaitingFin) {
            awaitingFin = true;
            owner.deadline(System.nanoTime() + spec.closeTimeout().toNanos());
        }
        boolean progress = inbound.deliver();   // what was read ahead is still given meanwhile
        ByteBuffer in = owner.pending();
        in.position(in.limit());
        if (owner.atEof()) {
            tcpClosing = true;
            owner.close();
        } else if (System.nanoTime() - owner.deadline() >= 0) {
            LOG.debug("flowsock-http: the server of {} did not close the connection within {}; closing", conn,
                    spec.closeTimeout());
            tcpClosing = true;
            owner.abort();
        } else {
            owner.requestMore();
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
        return closeSent || inbound.isCancelled() || inbound.heldBytes() < spec.maxMessageSize();
    }

    private void frame(WebSocketFrames.Frame f) {
        switch (f.opcode()) {
            case WebSocketFrames.PING -> {
                if (!closeSent) {
                    outbound.pong(f.payload());
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
                inbound.complete();
                inbound.deliver();   // first: a send fed by receive then ends by itself, before the close cuts the sends
                if (!closeSent) {
                    sendClose(c);   // the RFC's echo of the status it received
                }
            }
            default -> {
                // text, binary or pong: given when wanted; after this side's close, or with nobody
                // to receive it, dropped
                if (!closeSent && !inbound.isCancelled()) {
                    inbound.hold(f);
                }
            }
        }
    }

    /** Sends the close frame (after anything already queued) and ends the outbound stream after it. */
    private void sendClose(WebSocketClose c) {
        closeSent = true;
        outbound.close(c);
        owner.deadline(System.nanoTime() + spec.closeTimeout().toNanos());
    }

    /** Fails the WebSocket (RFC 6455, 7.1.7): the close frame with the error's code, then the TCP close. */
    private void fail(WebSocketException e) {
        LOG.debug("flowsock-http: closing the WebSocket on {} with {}: {}", conn, e.closeCode(), e.getMessage());
        failFast = true;
        inbound.drop();
        inbound.fail(e);
        failure = new WebSocketClose(e.closeCode(), e.getMessage());
        inbound.deliver();   // first, as for a peer's close
        if (!closeSent) {
            String reason = e.getMessage();
            sendClose(new WebSocketClose(e.closeCode(), reason.length() > 60 ? reason.substring(0, 60) : reason));
        }
    }

    /** The peer's FIN without a close frame: 1006, and the connection goes. */
    private void peerGone() {
        inbound.complete();
        peerFin = true;
        inbound.deliver();
        if (inbound.isEmpty()) {
            closeTcp();
        } else {
            // what was read ahead is still given, for at most closeTimeout
            owner.deadline(Math.min(owner.deadline(), System.nanoTime() + spec.closeTimeout().toNanos()));
        }
    }

    private void closeTcp() {
        tcpClosing = true;
        outbound.cut();
        owner.close();
    }

    /** The TCP connection is closed (any thread): everything left is told how it ended. */
    private void closed() {
        WebSocketClose c = peerClose != null ? peerClose : failure != null ? failure
                : new WebSocketClose(WebSocketClose.ABNORMAL, "");
        inbound.connectionClosed();
        tcpClosed = true;
        owner.drain();   // receive's end goes out from the loop (closedStep), after what was read ahead
        outbound.connectionClosed(new IllegalStateException("the WebSocket closed (" + c.code() + ") before this send ended"));
        Subscription s = fnSubscription;
        if (s != null && !fnDone) {
            s.cancel();
        }
        onClose.tryEmitValue(c);
        if (decoder.deflate() != null) {
            decoder.deflate().endDeflater();   // the inflater's goes from the loop, once it decodes nothing more
        }
        if (fnError == null) {
            ended.ended();
        } else {
            ended.failed(fnError);
        }
    }

    /**
     * The connection's loop after the TCP connection closed: what was read ahead is still given
     * as demand comes, then receive's end. Nothing else runs here any more.
     */
    void closedStep() {
        endInflater();
        inbound.deliver();
    }

    /** Frees the decompressor's native memory, if there is one: in the loop, once nothing more is decoded. */
    private void endInflater() {
        if (decoder.deflate() != null) {
            decoder.deflate().endInflater();
        }
    }

    // ---- the application's side (any thread) ----

    @Override
    public HttpHeaders handshakeHeaders() {
        return handshake;
    }

    @Override
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public Flux<WebSocketMessage> receive() {
        return inbound.flux();
    }

    @Override
    public Mono<Void> send(Publisher<WebSocketMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        return Mono.create(done -> {
            if (closeSent || closeReceived) {
                done.error(new IllegalStateException("the WebSocket is closed: nothing more can be sent"));
                return;
            }
            outbound.add(messages, done);
        });
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
        return "WebSocket " + label + " on " + conn;
    }
}

