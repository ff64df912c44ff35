package io.flowsock.reactive;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Sits between a publisher under the TCK and the TCK's subscriber: passes the publisher's own
 * subscription through untouched and forwards every signal as it came, then runs
 * {@code onDelivered} after each element, so a test can pace or end the source by what was delivered.
 */
final class DeliveryObserver<T> implements Subscriber<T> {
    private final Subscriber<? super T> actual;
    private final Runnable onDelivered;

    DeliveryObserver(Subscriber<? super T> actual, Runnable onDelivered) {
        this.actual = actual;
        this.onDelivered = onDelivered;
    }

    @Override
    public void onSubscribe(Subscription s) {
        actual.onSubscribe(s);
    }

    @Override
    public void onNext(T t) {
        actual.onNext(t);
        onDelivered.run();
    }

    @Override
    public void onError(Throwable t) {
        actual.onError(t);
    }

    @Override
    public void onComplete() {
        actual.onComplete();
    }
}
