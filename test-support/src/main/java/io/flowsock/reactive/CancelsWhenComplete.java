package io.flowsock.reactive;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * Requests everything and cancels its subscription in onComplete, as operators that cancel
 * finished sources do (zip, combineLatest); optionally sends a bad request first, also too late
 * to mean anything. {@link #result} completes with the values, or with the error.
 */
final class CancelsWhenComplete<T> implements CoreSubscriber<T> {
    final CompletableFuture<List<T>> result = new CompletableFuture<>();
    private final List<T> values = new CopyOnWriteArrayList<>();
    private final boolean requestZeroFirst;
    private Subscription s;

    CancelsWhenComplete() {
        this(false);
    }

    CancelsWhenComplete(boolean requestZeroFirst) {
        this.requestZeroFirst = requestZeroFirst;
    }

    @Override
    public void onSubscribe(Subscription s) {
        this.s = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(T t) {
        values.add(t);
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        if (requestZeroFirst) {
            s.request(0);
        }
        s.cancel();
        result.complete(values);
    }
}
