package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Feeds input buffers to a {@link ByteDecoder} and emits the values it completes, never more than
 * requested.
 *
 * <p>Input demand is one buffer at a time, asked for only when the subscriber wants a value and
 * none is waiting. So the operator holds at most the values decoded from one buffer, and a
 * connection reads at the application's pace. The trade-off: no read-ahead for a connection that
 * could have posted several reads at once.
 *
 * <p>A failure (the decoder throws, the input errors, a bad request) cancels the input at once;
 * values decoded before it are delivered first, as demand allows, then the error. So what a
 * subscriber sees never depends on where the input was cut.
 *
 * <p>Signals may come from any thread; {@link #drain()} serializes the work, so the decoder and the
 * value queue are touched by one thread at a time.
 */
final class DecodingSubscriber<T> implements CoreSubscriber<ByteBuffer>, Subscription {
    private final CoreSubscriber<? super T> actual;
    private final ByteDecoder<T> decoder;

    // Added to by request (any thread), subtracted by drain; atomic so neither loses the other's update.
    private final AtomicLong requested = new AtomicLong();
    // Raised by every thread that wants a drain; only the thread that raised it from 0 drains, and it
    // loops until the count it consumed is all there is, so no signal is missed.
    private final AtomicInteger wip = new AtomicInteger();
    // The first error to signal: set by onError (input thread) or a bad request (any), read by drain.
    private final AtomicReference<Throwable> error = new AtomicReference<>();

    // Written by onSubscribe before actual.onSubscribe publishes this subscription; read after.
    private Subscription upstream;
    // Written by onNext, read and cleared by drain: volatile so drain sees the buffer handed over.
    private volatile ByteBuffer input;
    // Written by onComplete and onError after their other writes, read by drain before input and
    // error: a drain that reads true also sees the last input and the error.
    private volatile boolean done;
    // Written by cancel (any thread), read by drain and onNext; stale reads only delay the stop.
    private volatile boolean cancelled;

    // Touched only inside drain, one thread at a time (wip orders the threads).
    private final ArrayDeque<T> values = new ArrayDeque<>();
    private final Consumer<T> sink = values::add;
    private boolean inputRequested;
    private boolean finished;
    private Throwable failure;

    DecodingSubscriber(CoreSubscriber<? super T> actual, ByteDecoder<T> decoder) {
        this.actual = actual;
        this.decoder = decoder;
    }

    @Override
    public Context currentContext() {
        return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(upstream, s)) {
            upstream = s;
            actual.onSubscribe(this);
        }
    }

    @Override
    public void onNext(ByteBuffer buffer) {
        if (done || cancelled) {
            return;
        }
        if (input != null) {
            upstream.cancel();
            onError(Exceptions.failWithOverflow("input sent a buffer that was not requested"));
            return;
        }
        input = buffer;
        drain();
    }

    @Override
    public void onError(Throwable t) {
        if (done || !error.compareAndSet(null, t)) {
            Operators.onErrorDropped(t, currentContext());
        }
        done = true;
        drain();
    }

    @Override
    public void onComplete() {
        done = true;
        drain();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            error.compareAndSet(null,
                    new IllegalArgumentException("request must be > 0 (rule 3.9), was " + n));
            upstream.cancel();
        } else {
            requested.getAndUpdate(r -> r + n < 0 ? Long.MAX_VALUE : r + n);
        }
        drain();
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            upstream.cancel();
            drain();
        }
    }

    /**
     * Decodes the waiting input, emits what demand allows, ends the stream or asks for the next
     * buffer. After a terminal signal or a cancel it returns without lowering wip, so no later
     * drain runs.
     */
    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        while (true) {
            if (cancelled) {
                values.clear();
                return;
            }
            boolean inputDone = done;
            Throwable pendingError = error.get();
            ByteBuffer in = input;
            if (in != null) {
                input = null;
                inputRequested = false;
                if (failure == null) {
                    decode(in);
                }
            }
            if (failure == null && pendingError != null) {
                failure = pendingError;
            } else if (failure == null && inputDone && !finished) {
                finished = true;
                decode(null);
            }
            if (!emit()) {
                return;
            }
            if (values.isEmpty()) {
                if (failure != null) {
                    actual.onError(failure);
                    return;
                }
                if (finished) {
                    actual.onComplete();
                    return;
                }
                if (!inputRequested && !inputDone && requested.get() > 0) {
                    inputRequested = true;
                    upstream.request(1);
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** Decodes one buffer, or finishes when {@code in} is null; a throw becomes the failure. */
    private void decode(ByteBuffer in) {
        try {
            if (in == null) {
                decoder.finish(sink);
            } else {
                decoder.decode(in, sink);
            }
        } catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
            failure = t;
            upstream.cancel();
        }
    }

    /** Emits waiting values up to demand; false when the subscriber cancelled meanwhile. */
    private boolean emit() {
        long r = requested.get();
        long e = 0;
        while (e != r && !values.isEmpty()) {
            actual.onNext(values.poll());
            e++;
            if (cancelled) {
                values.clear();
                return false;
            }
        }
        if (e != 0 && r != Long.MAX_VALUE) {
            requested.addAndGet(-e);
        }
        return true;
    }
}
