package io.flowsock.http;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/** A subscriber of a {@code Publisher<Void>} (a handler's result, a write's end) that only hears how it ended. */
abstract class EndSubscriber implements CoreSubscriber<Void> {
    @Override
    public final void onSubscribe(Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public final void onNext(Void v) {
        // a Publisher<Void> emits nothing
    }
}
