package io.flowsock.reactive;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p>Signals may come from any thread; {@link #drain()} serializes the work, so the decoder, the
 * value queue and every call on the input's subscription (request and cancel alike, rule 2.7)
 * happen on one thread at a time.
 *
 * <p>After the subscriber's terminal signal nothing reaches the input: a cancel or a bad request
 * then does nothing (rules 2.4, 3.6, 3.7), and an input that ended is never cancelled. What comes
 * too late is reported, never lost: a buffer after the input ended goes to
 * {@link Operators#onNextDropped}, one after the subscriber cancelled or failed to
 * {@link Operators#onDiscard}, as do values decoded but never requested, and an error nobody will
 * see to {@link Operators#onErrorDropped}.
 */
final class DecodingSubscriber<T> implements CoreSubscriber<ByteBuffer>, Subscription {
    /** In {@link #error} once the subscriber was answered or cancelled: a later error is dropped. */
    private static final Throwable TERMINATED = new Throwable("terminated", null, false, false) { };
    private static final VarHandle INPUT;

    static {
        try {
            INPUT = MethodHandles.lookup().findVarHandle(DecodingSubscriber.class, "input", ByteBuffer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CoreSubscriber<? super T> actual;
    private final ByteDecoder<T> decoder;

    // Added to by request (any thread), subtracted by drain; atomic so neither loses the other's update.
    private final AtomicLong requested = new AtomicLong();
    // Raised by every thread that wants a drain; only the thread that raised it from 0 drains, and it
    // loops until the count it consumed is all there is, so no signal is missed.
    private final AtomicInteger wip = new AtomicInteger();
    // The input's error: set once by onError (input thread), swapped for TERMINATED by the drain that
    // answers the subscriber, so an error arriving after that fails the CAS and is reported dropped.
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    // A fault of the input or subscriber that must cancel the input (a bad request, an unrequested
    // buffer): set by any thread, first one wins; the drain cancels and fails, serial with requests.
    private final AtomicReference<Throwable> violation = new AtomicReference<>();

    // Written by onSubscribe before actual.onSubscribe publishes this subscription; read after.
    private Subscription upstream;
    // Set by onNext, taken by drain or a cancel through INPUT: whoever takes it owns the buffer.
    private volatile ByteBuffer input;
    // Written by onComplete and onError after their other writes, read by drain before input and
    // error: a drain that reads true also sees the last input and the error.
    private volatile boolean done;
    // Written by cancel (any thread), read by drain and onNext; stale reads only delay the stop.
    private volatile boolean cancelled;
    // Written by the drain just before the subscriber's terminal signal, read by onNext to tell a
    // straggler (discarded) from a buffer to decode.
    private volatile boolean terminated;

    // Touched only inside drain, one thread at a time (wip orders the threads).
    private final ArrayDeque<T> values = new ArrayDeque<>();
    private final Consumer<T> sink = values::add;
    private boolean inputRequested;
    private boolean inputStopped;   // the input was cancelled or had ended: never cancel it (again)
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
        if (done) {
            Operators.onNextDropped(buffer, currentContext());
            return;
        }
        if (cancelled || terminated) {
            Operators.onDiscard(buffer, currentContext());
            return;
        }
        if (!INPUT.compareAndSet(this, null, buffer)) {
            violation.compareAndSet(null, Exceptions.failWithOverflow("input sent a buffer that was not requested"));
            Operators.onDiscard(buffer, currentContext());
        }
        drain();
        if ((cancelled || terminated) && INPUT.compareAndSet(this, buffer, null)) {
            Operators.onDiscard(buffer, currentContext());   // the drain stopped before it took the buffer
        }
    }

    @Override
    public void onError(Throwable t) {
        if (done || !error.compareAndSet(null, t)) {
            Operators.onErrorDropped(t, currentContext());
            return;
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
            violation.compareAndSet(null,
                    new IllegalArgumentException("request must be > 0 (rule 3.9), was " + n));
        } else {
            requested.getAndUpdate(r -> r + n < 0 ? Long.MAX_VALUE : r + n);
        }
        drain();
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            drain();
        }
    }

    /**
     * Decodes the waiting input, emits what demand allows, ends the stream or asks for the next
     * buffer. After a terminal signal or a cancel it returns without lowering wip, so no later
     * drain runs and nothing more reaches the input.
     */
    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        while (true) {
            if (cancelled) {
                cancelled();
                return;
            }
            boolean inputDone = done;
            Throwable pendingError = error.get();
            ByteBuffer in = (ByteBuffer) INPUT.getAndSet(this, (ByteBuffer) null);
            if (in != null) {
                inputRequested = false;
                if (failure == null) {
                    decode(in);
                }
            }
            Throwable fault = violation.get();
            if (failure == null && fault != null) {
                failure = fault;
                stopInput();
            } else if (failure == null && pendingError != null) {
                failure = pendingError;
            } else if (failure == null && inputDone && !finished) {
                finished = true;
                decode(null);
            }
            if (!emit()) {
                continue;   // the subscriber cancelled meanwhile
            }
            if (values.isEmpty()) {
                if (failure != null || finished) {
                    terminate();
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

    /** Answers the subscriber; an input error that lost to another failure is reported dropped. */
    private void terminate() {
        terminated = true;
        Throwable late = error.getAndSet(TERMINATED);
        if (late != null && late != failure) {
            Operators.onErrorDropped(late, currentContext());
        }
        if (failure != null) {
            actual.onError(failure);
        } else {
            actual.onComplete();
        }
    }

    /** The subscriber cancelled: stop the input unless it ended, and report what nobody will get. */
    private void cancelled() {
        stopInput();
        Context ctx = currentContext();
        Operators.onDiscardQueueWithClear(values, ctx, null);
        ByteBuffer in = (ByteBuffer) INPUT.getAndSet(this, (ByteBuffer) null);
        if (in != null) {
            Operators.onDiscard(in, ctx);
        }
        Throwable late = error.getAndSet(TERMINATED);
        if (late != null) {
            Operators.onErrorDropped(late, ctx);
        }
    }

    /** Cancels the input once, and never one that has ended (rule 3.7 asks it to ignore us; we don't ask). */
    private void stopInput() {
        if (!inputStopped) {
            inputStopped = true;
            if (!done) {
                upstream.cancel();
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
            stopInput();
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
                return false;
            }
        }
        if (e != 0 && r != Long.MAX_VALUE) {
            requested.addAndGet(-e);
        }
        return true;
    }
}
