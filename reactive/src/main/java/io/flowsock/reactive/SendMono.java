package io.flowsock.reactive;

import io.flowsock.core.Channel;
import io.flowsock.core.Send;
import io.flowsock.core.SendSource;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
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
        SendSubscriber s = new SendSubscriber(actual, channel);
        actual.onSubscribe(s.monoSubscription);
        channel.send(s);         // hands the stream to s.onStart before any request
        if (s.done) {
            s.send.complete();   // cancelled before the send existed: end it so later sends can run
            return;
        }
        data.subscribe(s);
    }

    /**
     * Subscriber of the data and source of the channel's stream. Upstream requests that arrive
     * before upstream's onSubscribe are kept by the deferred subscription. The Mono's subscriber
     * gets a separate subscription: its request means nothing for a {@code Mono<Void>}.
     *
     * <p>Every call on the data's subscription runs on the channel's port thread: the channel
     * requests and cancels there, and upstream's arrival and the Mono's cancel, which may come from
     * any thread, are handed to it. So request and cancel never overlap (Reactive Streams rule 2.7).
     */
    static final class SendSubscriber implements CoreSubscriber<ByteBuffer>, SendSource {
        private final CoreSubscriber<? super Void> actual;
        private final Channel channel;
        // Touched only on the port thread (see above).
        private final Operators.DeferredSubscription upstream = new Operators.DeferredSubscription();
        volatile Send send;             // set by onStart, before the data Publisher is subscribed
        private volatile boolean done;  // the Mono was answered or cancelled

        SendSubscriber(CoreSubscriber<? super Void> actual, Channel channel) {
            this.actual = actual;
            this.channel = channel;
        }

        @Override
        public reactor.util.context.Context currentContext() {
            return actual.currentContext();
        }

        // ---- the data Publisher's subscriber

        @Override
        public void onSubscribe(Subscription s) {
            Objects.requireNonNull(s, "onSubscribe called with null (Reactive Streams rule 2.13)");
            channel.port().dispatch(() -> upstream.set(s));
        }

        @Override
        public void onNext(ByteBuffer b) {
            if (done) {
                return;             // after cancel, Reactive Streams allows stragglers: drop them
            }
            send.offer(Objects.requireNonNull(b, "onNext called with null (Reactive Streams rule 2.13)"));
        }

        @Override
        public void onError(Throwable t) {
            if (!done) {
                send.fail(t);
            }
        }

        @Override
        public void onComplete() {
            if (!done) {
                send.complete();
            }
        }

        // ---- the channel's source (port thread, but onStart)

        @Override
        public void onStart(Send send) {
            this.send = send;
        }

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void cancel() {
            upstream.cancel();
        }

        @Override
        public void onSent() {
            if (!done) {
                done = true;
                actual.onComplete();
            }
        }

        @Override
        public void onFailed(Throwable error) {
            upstream.cancel();
            if (!done) {
                done = true;
                actual.onError(error);
            }
        }

        /** The subscription the Mono's subscriber sees. */
        final Subscription monoSubscription = new Subscription() {
            @Override
            public void request(long n) {
                // Mono<Void>: nothing to deliver but the terminal signal
            }

            @Override
            public void cancel() {
                if (!done) {
                    done = true;
                    channel.port().dispatch(() -> {
                        upstream.cancel();
                        Send s = send;
                        if (s != null) {
                            s.complete();   // what was offered is still written; later sends may proceed
                        }
                    });
                }
            }
        };
    }
}
