package io.flowsock.reactive;

import io.flowsock.core.Datagram;
import io.flowsock.core.DatagramEndpoint;
import io.flowsock.core.DatagramSend;
import io.flowsock.core.DatagramSource;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * {@code send} of a UDP socket: each subscription starts one outbound stream of the endpoint and
 * subscribes to the data, whose demand the endpoint drives at most sendCap ahead of the
 * hand-over to the kernel. The Mono completes once every datagram is sent, or fails with the
 * first refusal (too large, port unreachable) or the endpoint's close.
 *
 * @param <T> what the data emits: datagrams, or buffers for a connected socket
 */
final class DatagramSendMono<T> extends Mono<Void> {
    private final DatagramEndpoint endpoint;
    private final Publisher<? extends T> data;
    private final Function<? super T, Datagram> toDatagram;
    private final UdpMetrics metrics;   // null: off

    DatagramSendMono(DatagramEndpoint endpoint, Publisher<? extends T> data, Function<? super T, Datagram> toDatagram,
                     UdpMetrics metrics) {
        this.endpoint = endpoint;
        this.data = data;
        this.toDatagram = toDatagram;
        this.metrics = metrics;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        Stream<T> s = new Stream<>(actual, toDatagram, metrics);
        actual.onSubscribe(s.mono);
        endpoint.send(s);
        data.subscribe(s);
    }

    /**
     * Subscriber of the data, source of the endpoint's stream, and the Mono's subscription. The
     * data's subscription is a deferred one, so the endpoint's requests may come before it does;
     * the endpoint requests and cancels on its port thread, one call at a time.
     */
    static final class Stream<T> implements CoreSubscriber<T>, DatagramSource {
        private final CoreSubscriber<? super Void> actual;
        private final Function<? super T, Datagram> toDatagram;
        private final UdpMetrics metrics;
        private final Operators.DeferredSubscription upstream = new Operators.DeferredSubscription();
        private final AtomicBoolean answered = new AtomicBoolean();   // the Mono's one terminal signal, or its cancel
        private volatile DatagramSend send;                           // written once by onStart, before any signal
        // Set by a cancel of the Mono, which may come from within onSubscribe, before onStart gave the send
        private volatile boolean cancelRequested;
        /** The Mono's subscription: its request means nothing for a {@code Mono<Void>}; its cancel ends the stream. */
        final Subscription mono = new VoidSubscription() {
            @Override
            public void cancel() {
                cancelled();
            }
        };

        Stream(CoreSubscriber<? super Void> actual, Function<? super T, Datagram> toDatagram, UdpMetrics metrics) {
            this.actual = actual;
            this.toDatagram = toDatagram;
            this.metrics = metrics;
        }

        @Override
        public reactor.util.context.Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onStart(DatagramSend s) {
            send = s;
            if (cancelRequested) {
                s.fail(new CancellationException("the send was cancelled"));   // a second fail is dropped
            }
        }

        // ---------------------------------------------------------- the data

        @Override
        public void onSubscribe(Subscription s) {
            upstream.set(s);
        }

        @Override
        public void onNext(T t) {
            Datagram d;
            try {
                d = toDatagram.apply(t);
            } catch (RuntimeException e) {
                upstream.cancel();
                send.fail(e);
                return;
            }
            if (metrics != null) {
                metrics.sent(d);
            }
            send.offer(d);
        }

        @Override
        public void onError(Throwable t) {
            send.fail(t);
        }

        @Override
        public void onComplete() {
            send.complete();
        }

        // ---------------------------------------------------------- the endpoint's stream

        @Override
        public void request(long n) {
            upstream.request(n);
        }

        @Override
        public void onSent() {
            if (answered.compareAndSet(false, true)) {
                actual.onComplete();
            }
        }

        @Override
        public void onFailed(Throwable error) {
            if (answered.compareAndSet(false, true)) {
                actual.onError(error);
            } else if (!(error instanceof CancellationException)) {
                Operators.onErrorDropped(error, actual.currentContext());
            }
        }

        @Override
        public void cancel() {
            upstream.cancel();
        }

        /** The Mono's subscriber cancelled: the data is cancelled and the stream ends unanswered. */
        private void cancelled() {
            if (answered.compareAndSet(false, true)) {
                cancelRequested = true;
                upstream.cancel();
                DatagramSend s = send;
                if (s != null) {
                    s.fail(new CancellationException("the send was cancelled"));
                }
            }
        }
    }
}
