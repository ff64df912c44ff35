package io.flowsock.http;

import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Operators;

/**
 * A client response's body: one subscriber, fed by its connection's serial loop as it requests.
 * subscribe, request and cancel come from any thread and only hand an event to that loop, which
 * owns the exchange's body state.
 */
final class ResponseBody implements Publisher<ByteBuffer>, Subscription {
    private final ClientConnection connection;
    private final ClientExchange e;

    ResponseBody(ClientConnection connection, ClientExchange e) {
        this.connection = connection;
        this.e = e;
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> s) {
        connection.signal(() -> {
            if (e.body != null) {
                Operators.error(s, new IllegalStateException("the response body of " + e.uri
                        + " has a subscriber already; it can be read once"));
                return;
            }
            e.body = s;
            s.onSubscribe(this);
            if (e.complete) {
                s.onComplete();
                e.body = Operators.emptySubscriber();
            } else if (!connection.serving(e) && !e.bodyCancelled) {
                // the connection died before anyone asked for the body
                e.body.onError(new HttpBodyException(0, "the connection closed before the response body of "
                        + e.uri + " was read"));
            }
        });
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            cancel();
            return;
        }
        connection.signal(() -> e.demand = Operators.addCap(e.demand, n));
    }

    @Override
    public void cancel() {
        connection.signal(() -> e.bodyCancelled = true);
    }
}
