package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * A request's body: a single-subscriber Flux that its connection feeds from the parser as the
 * subscriber's demand allows, so an unread body leaves the socket unread and TCP slows the client.
 *
 * <p><b>Threading.</b> subscribe, request and cancel come from any thread and only record what
 * was asked, then run the connection's serial drain; every signal to the subscriber is sent from
 * that drain ({@link #next}, {@link #complete}, {@link #error}), so they never overlap.
 */
final class RequestBody extends Flux<ByteBuffer> implements Subscription {
    private final ServerConnection owner;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    /** Written by subscribe before onSubscribe, read by the drain: set once, then stable. */
    private volatile CoreSubscriber<? super ByteBuffer> actual;
    /** Added to by request on any thread, taken from by the drain. */
    private final AtomicLong demand = new AtomicLong();
    /** Written by cancel (any thread) or an invalid request; read by the drain. */
    private volatile boolean cancelled;
    private volatile boolean invalidRequest;
    private boolean terminated;   // drain only
    private boolean started;      // drain only: the first demand was seen (100-continue goes out then)

    RequestBody(ServerConnection owner) {
        this.owner = owner;
    }

    @Override
    public void subscribe(CoreSubscriber<? super ByteBuffer> s) {
        if (!subscribed.compareAndSet(false, true)) {
            Operators.error(s, new IllegalStateException("a request body can be subscribed only once"));
            return;
        }
        actual = s;
        s.onSubscribe(this);
        owner.drain();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            invalidRequest = true;
        } else {
            demand.getAndUpdate(d -> Operators.addCap(d, n));
        }
        owner.drain();
    }

    @Override
    public void cancel() {
        cancelled = true;
        owner.drain();
    }

    boolean isSubscribed() {
        return actual != null;
    }

    /** Drain: whether the subscriber is there, wants a buffer and has not gone. */
    boolean wants() {
        if (invalidRequest && !terminated) {
            fail(new IllegalArgumentException("request(n) needs n > 0 (Reactive Streams rule 3.9)"));
        }
        return actual != null && !cancelled && !terminated && demand.get() > 0;
    }

    /** Drain: true once, the first time the subscriber asks for anything. */
    boolean firstDemand() {
        if (!started && actual != null && demand.get() > 0) {
            started = true;
            return true;
        }
        return false;
    }

    /** Drain: whoever read the body stopped reading it (cancelled or failed). */
    boolean abandoned() {
        return cancelled || terminated && invalidRequest;
    }

    void next(ByteBuffer b) {
        if (demand.get() != Long.MAX_VALUE) {
            demand.decrementAndGet();
        }
        actual.onNext(b);
    }

    /** Drain: completes the subscriber if it is there and not done; false when it is not there yet. */
    boolean complete() {
        if (actual == null) {
            return false;
        }
        if (!terminated) {
            terminated = true;
            if (!cancelled) {
                actual.onComplete();
            }
        }
        return true;
    }

    void fail(Throwable e) {
        if (actual != null && !terminated) {
            terminated = true;
            if (!cancelled) {
                actual.onError(e);
            }
        }
    }
}
