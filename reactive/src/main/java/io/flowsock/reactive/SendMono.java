package io.flowsock.reactive;

import io.flowsock.core.Channel;
import io.flowsock.core.Send;
import io.flowsock.core.SendSource;
import io.flowsock.core.internal.HeapCopy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Fuseable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * {@code Connection.send}: each subscription starts one outbound stream of the channel and
 * subscribes to the data Publisher, whose demand the channel drives at most sendCap ahead.
 */
final class SendMono extends Mono<Void> {
    private final Channel channel;
    private final Publisher<? extends ByteBuffer> data;

    SendMono(Channel channel, Publisher<? extends ByteBuffer> data) {
        this.channel = channel;
        this.data = data;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        ByteBuffer known = knownBuffer(data);
        if (known != null) {
            // Mono.just(buffer), what an HTTP answer is: the buffer is there, so no subscription to it
            OneBuffer one = new OneBuffer(actual, channel, known);
            actual.onSubscribe(one.monoSubscription);
            channel.send(one);
            one.started();
            return;
        }
        SendSubscriber s = new SendSubscriber(actual, channel);
        actual.onSubscribe(s.monoSubscription);
        channel.send(s);         // hands the stream to s.onStart before any request
        if (s.started()) {       // false: cancelled or failed before the send existed, and ended
            data.subscribe(s);
        }
    }

    /** The buffer a {@code Mono.just} holds; null for anything else (an empty or failed one too). */
    private static ByteBuffer knownBuffer(Publisher<?> data) {
        if (data instanceof Fuseable.ScalarCallable<?> scalar) {
            try {
                return scalar.call() instanceof ByteBuffer b ? b : null;
            } catch (Throwable e) {
                return null;   // Mono.error: subscribed as any Publisher, which reports it
            }
        }
        return null;
    }

    /**
     * What both kinds of send share: the Mono's one terminal signal. It goes to whichever comes
     * first of the write's end ({@link #onSent}), its failure and the Mono's cancel, which then
     * stops the send as the subclass defines ({@link #cancelled}); a failure after a cancel goes
     * to {@code onErrorDropped}.
     */
    abstract static class Answer implements SendSource {
        private static final VarHandle ANSWERED;

        static {
            try {
                ANSWERED = MethodHandles.lookup().findVarHandle(Answer.class, "answered", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final CoreSubscriber<? super Void> actual;
        final Channel channel;
        // Set once by CAS, by whichever comes first of onSent, onFailed and the Mono's cancel.
        private volatile boolean answered;

        Answer(CoreSubscriber<? super Void> actual, Channel channel) {
            this.actual = actual;
            this.channel = channel;
        }

        @Override
        public final void onSent() {
            if (ANSWERED.compareAndSet(this, false, true)) {
                actual.onComplete();
            }
        }

        /** The send failed: the Mono's error, unless the Mono was cancelled first. */
        final void answerFailure(Throwable error) {
            if (ANSWERED.compareAndSet(this, false, true)) {
                actual.onError(error);
            } else {
                Operators.onErrorDropped(error, actual.currentContext());   // the Mono was cancelled
            }
        }

        /** The Mono was cancelled before it was answered (any thread); a later cancel does nothing (rules 2.4, 3.7). */
        abstract void cancelled();

        /** The subscription the Mono's subscriber sees. */
        final Subscription monoSubscription = new VoidSubscription() {
            @Override
            public void cancel() {
                if (ANSWERED.compareAndSet(Answer.this, false, true)) {
                    cancelled();
                }
            }
        };
    }

    /**
     * The stream of a buffer known at subscription ({@code Mono.just}): offered at the channel's
     * first request, as {@link SendSubscriber} would offer it, without a subscription to the data,
     * a deferred one for the channel, or a hop for its arrival. The Mono's cancel before the offer
     * ends the send with nothing written; after it, the write goes on, as for any send.
     */
    static final class OneBuffer extends Answer {
        private static final int STARTED = 1;     // channel.send returned: the send may be ended
        private static final int CANCELLED = 2;   // the Mono was cancelled before it was answered
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(OneBuffer.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private ByteBuffer buffer;          // null once offered or dropped; handed to the port by channel.send
        private boolean done;               // port only: the send was ended (after the offer, or without it)
        private volatile Send send;         // set by onStart, on the subscribing thread, before any request
        private volatile int state;         // bits above

        OneBuffer(CoreSubscriber<? super Void> actual, Channel channel, ByteBuffer buffer) {
            super(actual, channel);
            this.buffer = buffer;
        }

        /** channel.send has returned; a cancel that came before it is carried out now. */
        void started() {
            if (((int) STATE.getAndBitwiseOr(this, STARTED) & CANCELLED) != 0) {
                channel.port().dispatch(this::end);
            }
        }

        @Override
        public void onStart(Send send) {
            this.send = send;
        }

        @Override
        public void request(long n) {
            if (done) {
                return;
            }
            done = true;
            ByteBuffer b = buffer;
            buffer = null;
            if (b != null && (state & CANCELLED) == 0) {
                send.offer(b);
            }
            send.complete();
        }

        /** Port thread, after channel.send returned: ends a cancelled send that offered nothing. */
        private void end() {
            if (!done) {
                done = true;
                buffer = null;
                send.complete();    // later sends proceed
            }
        }

        @Override
        public void cancel() {
            buffer = null;          // the channel takes no more
        }

        @Override
        public void onFailed(Throwable error) {
            answerFailure(error);
        }

        /** Before the offer, the send ends with nothing written; after it, the write goes on. */
        @Override
        void cancelled() {
            if (((int) STATE.getAndBitwiseOr(this, CANCELLED) & STARTED) != 0) {
                channel.port().dispatch(this::end);
            }
        }
    }

    /**
     * Subscriber of the data and source of the channel's stream. Upstream requests that arrive
     * before upstream's onSubscribe are kept until it arrives ({@link #arrived}). The Mono's subscriber
     * gets a separate subscription: its request means nothing for a {@code Mono<Void>}.
     *
     * <p>Every call on the data's subscription runs on the channel's port thread: the channel
     * requests and cancels there, and upstream's arrival and the Mono's cancel, which may come from
     * any thread, are handed to it. So request and cancel never overlap (Reactive Streams rule 2.7).
     *
     * <p>Calls on the {@link Send} are serial too, as it requires: upstream's signals are, and the
     * Mono's cancel, which ends the send, does so only when no signal is inside it; otherwise the
     * signal leaving does. After the Mono's terminal signal a cancel does nothing; an input that
     * ended is never cancelled. Late signals go to Reactor's hooks: a buffer after a cancel or a
     * failure to onDiscard, one after the data's own end to onNextDropped, an error nobody will
     * see to onErrorDropped.
     */
    static final class SendSubscriber extends Answer implements CoreSubscriber<ByteBuffer> {
        private static final int SIGNALLING = 1;   // a thread is inside the Send for the data (or subscribe)
        private static final int STOPPED = 2;      // the data's signals no longer reach the Send
        private static final int ENDED = 4;        // the Send was ended: complete, fail, or by the channel
        private static final int DATA_DONE = 8;    // the data completed or failed: never cancel it
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(SendSubscriber.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        // Touched only on the port thread (see above).
        // Reactor's DeferredSubscription would do, at 24 bytes more for every send (and every idle
        // echo connection); these are touched on the port only, so they need no atomics.
        private Subscription upstream;      // null until the data's onSubscribe reaches the port
        private long early;                 // requested before then
        private boolean upstreamCancelled;
        volatile Send send;             // set by onStart, before the data Publisher is subscribed
        // Bits above; changed by CAS from the data's thread, the Mono's canceller and the port. Held
        // SIGNALLING by subscribe until the send exists, so a cancel before then is left to it.
        private volatile int state = SIGNALLING;
        // The data's thread only (its signals are serial, rule 1.3): it completed or failed.
        private boolean dataDone;
        // Set on the port before the first onNext when the data is this channel's own inbound,
        // which then lends its receive buffers: a buffer that goes to a hook instead is copied.
        private boolean lent;

        SendSubscriber(CoreSubscriber<? super Void> actual, Channel channel) {
            super(actual, channel);
        }

        @Override
        public reactor.util.context.Context currentContext() {
            return actual.currentContext();
        }

        /** After channel.send: whether to subscribe to the data. False once stopped, the send ended. */
        boolean started() {
            return (leave(0) & STOPPED) == 0;
        }

        // ---- the data Publisher's subscriber

        @Override
        public void onSubscribe(Subscription s) {
            Objects.requireNonNull(s, "onSubscribe called with null (Reactive Streams rule 2.13)");
            channel.port().dispatch(() -> arrived(s));
        }

        /** Whether this sends {@code c}'s own inbound back out: then the inbound may lend its buffers. */
        boolean echoes(Channel c) {
            return channel == c;
        }

        /** Port thread, before the first onNext: the buffers coming are loans. */
        void lent() {
            lent = true;
        }

        @Override
        public void onNext(ByteBuffer b) {
            Objects.requireNonNull(b, "onNext called with null (Reactive Streams rule 2.13)");
            if (dataDone) {
                Operators.onNextDropped(owned(b), currentContext());
            } else if (!enter()) {
                Operators.onDiscard(owned(b), currentContext());   // after cancel, stragglers are allowed
            } else {
                send.offer(b);
                leave(0);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (dataDone || !enter()) {
                Operators.onErrorDropped(t, currentContext());
                return;
            }
            dataDone = true;
            send.fail(t);
            leave(ENDED | DATA_DONE);
        }

        @Override
        public void onComplete() {
            if (dataDone || !enter()) {
                return;
            }
            dataDone = true;
            send.complete();
            leave(ENDED | DATA_DONE);
        }

        /** {@code b}, or a copy of it when it is a loan and is about to leave the library. */
        private ByteBuffer owned(ByteBuffer b) {
            return lent ? HeapCopy.of(b) : b;
        }

        private boolean enter() {
            return STATE.compareAndSet(this, 0, SIGNALLING);
        }

        /**
         * Leaves the Send, adding {@code bits}; a cancel that came meanwhile left the end of the
         * send to this thread, which ends it now. Returns the state before.
         */
        private int leave(int bits) {
            int prev;
            int next;
            do {
                prev = state;
                next = (prev & ~SIGNALLING) | bits;
                if ((prev & (STOPPED | ENDED)) == STOPPED) {
                    next |= ENDED;  // a cancel came while this thread was inside: the end is ours
                }
            } while (!STATE.compareAndSet(this, prev, next));
            if ((prev & (STOPPED | ENDED)) == STOPPED && (bits & ENDED) == 0) {
                send.complete();    // what was offered is still written; later sends may proceed
            }
            return prev;
        }

        // ---- the channel's source (port thread, but onStart)

        @Override
        public void onStart(Send send) {
            this.send = send;
        }

        @Override
        public void request(long n) {
            if (upstream != null) {
                upstream.request(n);
            } else if (!upstreamCancelled) {
                early = Operators.addCap(early, n);
            }
        }

        @Override
        public void cancel() {
            cancelUpstream();
        }

        /** Port thread: the data's subscription, given what was requested before it came. */
        private void arrived(Subscription s) {
            if (upstreamCancelled || upstream != null) {
                s.cancel();         // cancelled before it came, or a second onSubscribe (rule 2.5)
                return;
            }
            upstream = s;
            if (early > 0) {
                long n = early;
                early = 0;
                s.request(n);
            }
        }

        private void cancelUpstream() {
            if (!upstreamCancelled) {
                upstreamCancelled = true;
                if (upstream != null) {
                    upstream.cancel();
                }
            }
        }

        @Override
        public void onFailed(Throwable error) {
            int prev = (int) STATE.getAndBitwiseOr(this, STOPPED | ENDED);
            if ((prev & DATA_DONE) == 0) {
                cancelUpstream();
            }
            answerFailure(error);
        }

        /** The Mono's cancel: stops the data and ends the send. */
        @Override
        void cancelled() {
            int prev;
            int next;
            do {
                prev = state;
                if ((prev & STOPPED) != 0) {
                    return;         // the channel failed the send first: nothing left to stop
                }
                next = prev | STOPPED | ((prev & (SIGNALLING | ENDED)) == 0 ? ENDED : 0);
            } while (!STATE.compareAndSet(this, prev, next));
            boolean cancelData = (prev & DATA_DONE) == 0;
            boolean endSend = (prev & (SIGNALLING | ENDED)) == 0;   // else the signal inside ends it
            if (!cancelData && !endSend) {
                return;             // the data ended and the send with it: the write just goes on
            }
            channel.port().dispatch(() -> {
                if (cancelData) {
                    cancelUpstream();
                }
                if (endSend) {
                    send.complete();   // what was offered is still written; later sends may proceed
                }
            });
        }
    }
}
