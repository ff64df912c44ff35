package io.flowsock.reactive;

import org.reactivestreams.Subscription;

/**
 * The subscription a {@code Mono<Void>}'s subscriber gets from a send: its demand means nothing,
 * since there is no item to deliver, only the terminal signal; its cancel is the send's to define.
 */
abstract class VoidSubscription implements Subscription {
    @Override
    public final void request(long n) {
        // Mono<Void>: nothing to deliver but the terminal signal
    }
}
