package io.flowsock.reactive;

import io.flowsock.core.Datagram;
import io.flowsock.core.DatagramEndpoint;
import io.flowsock.core.DatagramHandler;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * A datagram endpoint's inbound: the endpoint's handler and the single subscriber's subscription
 * in one object. Every signal to the subscriber, onSubscribe included, is sent from the port
 * thread; the endpoint posts receives only against the subscriber's requests.
 */
final class DatagramFlux extends Flux<Datagram> implements DatagramHandler, Subscription {
    private final DatagramEndpoint endpoint;
    private final UdpMetrics metrics;              // null: off
    private final AtomicBoolean subscribed = new AtomicBoolean();   // set once by the first subscribe, any thread
    private volatile boolean cancelled;           // written by any thread (cancel), read on the port
    private CoreSubscriber<? super Datagram> actual;   // port thread only; dropped at cancel or the terminal signal

    DatagramFlux(DatagramEndpoint endpoint, UdpMetrics metrics) {
        this.endpoint = endpoint;
        this.metrics = metrics;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Datagram> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            Operators.error(subscriber, new IllegalStateException("inbound of " + endpoint
                    + " already has a subscriber; an endpoint's inbound may be subscribed once"));
            return;
        }
        endpoint.port().dispatch(() -> {
            actual = subscriber;
            subscriber.onSubscribe(this);
            endpoint.start(this);        // an endpoint closed already ends the input at once
        });
    }

    @Override
    public void request(long n) {
        if (cancelled) {
            return;
        }
        if (n <= 0) {
            cancelled = true;
            endpoint.abandonInput();
            endpoint.port().dispatch(() -> terminate(
                    new IllegalArgumentException("§3.9: request must be positive, was " + n)));
            return;
        }
        endpoint.request(n);
    }

    @Override
    public void cancel() {
        cancelled = true;
        endpoint.abandonInput();
        endpoint.port().dispatch(() -> actual = null);   // §3.13: the subscriber is not kept after its cancel
    }

    @Override
    public void onDatagram(Datagram datagram) {
        CoreSubscriber<? super Datagram> a = actual;
        if (a == null || cancelled) {
            return;
        }
        if (metrics != null) {
            metrics.received(datagram);
        }
        a.onNext(datagram);
    }

    @Override
    public void onEnd() {
        terminate(null);
    }

    @Override
    public void onError(Throwable error) {
        terminate(error);
    }

    private void terminate(Throwable error) {
        CoreSubscriber<? super Datagram> a = actual;
        if (a == null) {
            return;
        }
        actual = null;
        if (error == null) {
            a.onComplete();
        } else if (!cancelled || error instanceof IllegalArgumentException) {
            a.onError(error);
        }
    }
}
