package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Function;
import java.util.function.Supplier;
import io.flowsock.core.internal.HeapCopy;
import io.flowsock.reactive.Loan;
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
 * that drain ({@link #next}, {@link #complete}, {@link #fail}), so they never overlap, except
 * the end of a body subscribed after its exchange was over ({@link #expire}), which the
 * subscribing thread sends itself; {@link #terminated} makes sure one terminal signal goes out.
 *
 * <p><b>Buffers.</b> A chunk that is a slice of the connection's loaned input is copied for a
 * subscriber of the flux itself, which owns what it gets; a subscriber through {@link #lending}
 * gets instead what its reader returns, the reader being lent a read-only view of the chunk for
 * the call, copied or not.
 */
final class RequestBody extends Flux<ByteBuffer> implements Subscription {
    private static final Supplier<String> BODY_READER = () -> "the body reader";
    private final ServerConnection owner;
    // fields with updaters, not Atomic* objects: one RequestBody per request, three objects fewer
    private static final AtomicIntegerFieldUpdater<RequestBody> SUBSCRIBED =
            AtomicIntegerFieldUpdater.newUpdater(RequestBody.class, "subscribed");
    private static final AtomicLongFieldUpdater<RequestBody> DEMAND =
            AtomicLongFieldUpdater.newUpdater(RequestBody.class, "demand");
    private static final AtomicIntegerFieldUpdater<RequestBody> TERMINATED =
            AtomicIntegerFieldUpdater.newUpdater(RequestBody.class, "terminated");
    private volatile int subscribed;   // 1 once subscribe has claimed the body
    /** Written by subscribe before onSubscribe, read by the drain: set once, then stable. */
    private volatile CoreSubscriber<Object> actual;
    /** The loaned mode's reader, or null; written with actual, before it. */
    private volatile Function<? super ByteBuffer, ?> reader;
    /** Added to by request on any thread, taken from by the drain. */
    private volatile long demand;
    /** Written by cancel (any thread) or an invalid request; read by the drain. */
    private volatile boolean cancelled;
    private volatile boolean invalidRequest;
    /** Set by whoever sends the terminal signal, once: the drain, or a subscriber arriving after expire. */
    private volatile int terminated;   // 1 once
    /** Written once by the drain when the exchange ends with this body unread or unsubscribed. */
    private volatile Throwable expired;
    /** Written once by the drain when the exchange ends with this body read whole but never subscribed. */
    private volatile boolean expiredWhole;
    private boolean started;      // drain only: the first demand was seen (100-continue goes out then)

    RequestBody(ServerConnection owner) {
        this.owner = owner;
    }

    @Override
    public void subscribe(CoreSubscriber<? super ByteBuffer> s) {
        attach(s, null);
    }

    /** The body in loaned mode: {@code reader}'s value for each chunk, the chunk lent for the call. */
    <T> Flux<T> lending(Function<? super ByteBuffer, ? extends T> reader) {
        return new Flux<T>() {
            @Override
            public void subscribe(CoreSubscriber<? super T> s) {
                attach(s, reader);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private void attach(CoreSubscriber<?> s, Function<? super ByteBuffer, ?> r) {
        if (!SUBSCRIBED.compareAndSet(this, 0, 1)) {
            Operators.error(s, new IllegalStateException("a request body can be subscribed only once"));
            return;
        }
        reader = r;
        actual = (CoreSubscriber<Object>) s;
        s.onSubscribe(this);
        Throwable late = expired;
        if (late != null) {
            fail(late);   // the exchange is over: this subscriber will get nothing else
            return;
        }
        if (expiredWhole) {
            complete();   // a body that was empty, or dropped whole, after its exchange
            return;
        }
        owner.drain();
    }

    /**
     * Drain: the exchange is over and what was left of this body is dropped. A subscriber that is
     * here, or comes later, gets {@code why} instead of an end that would claim the body whole.
     */
    void expire(Throwable why) {
        expired = why;
        fail(why);
    }

    /** Drain: the exchange is over with the body parsed to its end and nobody subscribed. */
    void expireWhole() {
        expiredWhole = true;
        if (actual != null) {
            complete();
        }
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            invalidRequest = true;
        } else {
            Operators.addCap(DEMAND, this, n);
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
        if (invalidRequest && terminated == 0) {
            fail(new IllegalArgumentException("request(n) needs n > 0 (Reactive Streams rule 3.9)"));
        }
        return actual != null && !cancelled && terminated == 0 && demand > 0;
    }

    /** Drain: true once, the first time the subscriber asks for anything. */
    boolean firstDemand() {
        if (!started && actual != null && demand > 0) {
            started = true;
            return true;
        }
        return false;
    }

    /** Drain: whoever read the body stopped reading it (cancelled or failed). */
    boolean abandoned() {
        return cancelled || terminated != 0 && invalidRequest;
    }

    /** Drain: one chunk for the subscriber; {@code lent} when it is valid only during this call. */
    void next(ByteBuffer b, boolean lent) {
        if (demand != Long.MAX_VALUE) {
            DEMAND.decrementAndGet(this);
        }
        Function<? super ByteBuffer, ?> r = reader;
        if (r == null) {
            actual.onNext(lent ? HeapCopy.of(b) : b);
            return;
        }
        Throwable e = Loan.lend(r, b, actual, BODY_READER);
        if (e != null) {
            readerFailed(e);
        }
    }

    /** The reader failed: the subscriber gets the error, and the rest of the body is drained as unread. */
    private void readerFailed(Throwable e) {
        fail(e);
        cancelled = true;
    }

    /** Drain: completes the subscriber if it is there and not done; false when it is not there yet. */
    boolean complete() {
        if (actual == null) {
            return false;
        }
        if (TERMINATED.compareAndSet(this, 0, 1)) {
            if (!cancelled) {
                actual.onComplete();
            }
        }
        return true;
    }

    void fail(Throwable e) {
        if (actual != null && TERMINATED.compareAndSet(this, 0, 1)) {
            if (!cancelled) {
                actual.onError(e);
            }
        }
    }
}
