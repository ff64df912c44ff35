package io.flowsock.http;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * A WebSocket's receiving side: the messages its session decoded ahead of demand, and
 * {@link WebSocket#receive()}'s one subscriber, which they are given to as it asks.
 *
 * <p>Signals go out only from the connection's loop ({@link #deliver()}); the subscriber's
 * request and cancel, on any thread, record themselves and run the loop. Fields without a comment
 * are confined to the loop.
 */
final class WebSocketInbound {
    private static final AtomicIntegerFieldUpdater<WebSocketInbound> TAKEN =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketInbound.class, "taken");
    private static final AtomicIntegerFieldUpdater<WebSocketInbound> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketInbound.class, "ended");
    private static final AtomicLongFieldUpdater<WebSocketInbound> DEMAND =
            AtomicLongFieldUpdater.newUpdater(WebSocketInbound.class, "demand");

    private final WebSocketHost owner;
    private volatile int taken;
    private volatile int ended;              // 1 once the terminal signal went out
    /** Written by subscribe, read by the loop, which alone signals it. */
    private volatile CoreSubscriber<? super WebSocketMessage> receiver;
    /** Added to by request on any thread, taken from by the loop. */
    private volatile long demand;
    private volatile boolean cancelled;
    /** How receive ends: set by the loop (or the close of the connection) before it is signalled. */
    private volatile Throwable error;
    private volatile boolean done;
    /** Messages read ahead of demand (the session bounds them by maxMessageSize bytes, one message at least). */
    private final ArrayDeque<WebSocketFrames.Frame> held = new ArrayDeque<>(2);
    private long heldBytes;

    WebSocketInbound(WebSocketHost owner) {
        this.owner = owner;
    }

    /** receive()'s Flux: one subscriber for the WebSocket's life. */
    Flux<WebSocketMessage> flux() {
        return new Received();
    }

    /** A text, binary or pong message, given when wanted. */
    void hold(WebSocketFrames.Frame f) {
        held.add(f);
        heldBytes += f.payload().remaining();
        deliver();
    }

    /** Drops what was read ahead: after a protocol error nothing more is given. */
    void drop() {
        held.clear();
        heldBytes = 0;
    }

    long heldBytes() {
        return heldBytes;
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** receive completes once what was read ahead is given. */
    void complete() {
        done = true;
    }

    /** receive fails with {@code e} once what was read ahead is given (nothing is, after {@link #drop()}). */
    void fail(Throwable e) {
        error = e;
    }

    /** The TCP connection closed (any thread): receive ends, unless it already fails. */
    void connectionClosed() {
        if (error == null) {
            done = true;
        }
    }

    /** Gives the messages read ahead as demand allows, then receive's end once they are all given. */
    boolean deliver() {
        boolean progress = false;
        if (cancelled && !held.isEmpty()) {
            drop();
            progress = true;
        }
        CoreSubscriber<? super WebSocketMessage> r = receiver;
        while (r != null && !cancelled && !held.isEmpty() && demand > 0) {
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
        if (r != null && !cancelled && held.isEmpty() && (done || error != null) && ENDED.compareAndSet(this, 0, 1)) {
            Throwable e = error;
            if (e != null) {
                r.onError(e);
            } else {
                r.onComplete();
            }
        }
        return progress;
    }

    /** receive()'s Flux and its subscription: no queue of its own (what is read ahead waits in {@link #held}). */
    private final class Received extends Flux<WebSocketMessage> implements Subscription {
        @Override
        public void subscribe(CoreSubscriber<? super WebSocketMessage> actual) {
            if (!TAKEN.compareAndSet(WebSocketInbound.this, 0, 1)) {
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
                error = new IllegalArgumentException("§3.9: request must be positive, was " + n);
                done = true;
            } else {
                Operators.addCap(DEMAND, WebSocketInbound.this, n);
            }
            owner.drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            owner.drain();
        }
    }
}
