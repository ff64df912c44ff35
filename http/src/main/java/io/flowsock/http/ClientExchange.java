package io.flowsock.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import reactor.core.Disposable;
import reactor.core.publisher.MonoSink;

/**
 * One request on a {@link ClientConnection}: what to write, who waits for the response head, and
 * the body's subscriber and demand. Confined to that connection's serial loop, except the final
 * fields, set before it starts.
 */
final class ClientExchange {
    final URI uri;
    final boolean headRequest;
    final boolean requestClose;
    final Publisher<ByteBuffer> outbound;
    final Duration responseTimeout;
    final MonoSink<HttpClientResponse> sink;
    /** Copied from the connection at start: it served an exchange before this one. */
    boolean reused;
    /** The request is written whole. */
    boolean sent;
    /** The response body ended; a late subscriber gets onComplete at once. */
    boolean complete;
    /** Some byte of the response arrived, so a retry would not be safe. */
    boolean anyByte;
    /** The response Mono was cancelled. */
    boolean cancelled;
    Disposable timer;
    Subscriber<? super ByteBuffer> body;
    long demand;
    boolean bodyCancelled;

    ClientExchange(URI uri, boolean headRequest, boolean requestClose, Publisher<ByteBuffer> outbound,
                   Duration responseTimeout, MonoSink<HttpClientResponse> sink) {
        this.uri = uri;
        this.headRequest = headRequest;
        this.requestClose = requestClose;
        this.outbound = outbound;
        this.responseTimeout = responseTimeout;
        this.sink = sink;
    }
}
