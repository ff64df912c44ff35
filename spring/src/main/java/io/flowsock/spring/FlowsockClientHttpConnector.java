package io.flowsock.spring;

import io.flowsock.http.HttpClient;
import io.flowsock.http.HttpClientResponse;
import java.net.URI;
import java.util.Objects;
import java.util.function.Function;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import reactor.core.publisher.Mono;

/**
 * Spring's {@code WebClient} on flowsock's {@link HttpClient}:
 * {@code WebClient.builder().clientConnector(new FlowsockClientHttpConnector(client)).build()}.
 *
 * <p>The request callback (WebClient writing headers, cookies and the encoded body) runs first;
 * the request is sent when it completes. A body Spring gives as a {@code Mono} goes with
 * Content-Length, any other one chunked, as it is produced. The response's body is a
 * {@code Flux<DataBuffer>} of {@code DefaultDataBuffer}s wrapping the buffers flowsock received:
 * no copy, nothing to release, read from the socket only as it is requested.
 *
 * <p><b>Threading.</b> Immutable and safe to share. Response signals arrive on the connection's
 * port thread; never block in them.
 *
 * <p><b>Buffers.</b> Request {@code DataBuffer}s made by {@code DefaultDataBufferFactory} are lent
 * to the connection as views; any other kind is copied once and released before it is written.
 *
 * <p><b>Lifecycle.</b> The client's pooled connection is the response's until its body is read
 * whole (then it goes back to the pool), cancelled or left when the response Mono is cancelled
 * (then it closes). WebClient's {@code releaseBody()}, {@code toBodilessEntity()} and its
 * {@code retrieve()} handling read the body whole. The connector does not own the client: dispose
 * it when done ({@code connector.client().dispose()} for the default one, whose idle connections
 * otherwise close after its idle timeout).
 */
public final class FlowsockClientHttpConnector implements ClientHttpConnector {
    private final HttpClient client;

    /** A connector on {@link HttpClient#create()}. */
    public FlowsockClientHttpConnector() {
        this(HttpClient.create());
    }

    public FlowsockClientHttpConnector(HttpClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** The client requests are sent with. */
    public HttpClient client() {
        return client;
    }

    @Override
    public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
                                            Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(requestCallback, "requestCallback");
        return Mono.defer(() -> {
            FlowsockClientHttpRequest request = new FlowsockClientHttpRequest(client, method, uri);
            return requestCallback.apply(request).then(Mono.defer(request::exchange));
        }).map(FlowsockClientHttpConnector::response);
    }

    private static ClientHttpResponse response(HttpClientResponse response) {
        try {
            return new FlowsockClientHttpResponse(response);
        } catch (RuntimeException e) {
            response.discard();   // a head Spring refuses must not keep the connection
            throw e;
        }
    }

    @Override
    public String toString() {
        return "FlowsockClientHttpConnector[" + client + "]";
    }
}
