package io.flowsock.spring;

import io.flowsock.http.HttpClient;
import io.flowsock.http.HttpClientRequest;
import io.flowsock.http.HttpClientResponse;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.StringJoiner;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.AbstractClientHttpRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A flowsock request being built as Spring's {@code ClientHttpRequest}. flowsock's request is
 * immutable and sent only when its response is subscribed, so the commit (Spring's
 * {@code beforeCommit} actions, then headers and cookies) only records what to send, and
 * {@link #exchange()} sends it once WebClient's request callback has completed.
 */
final class FlowsockClientHttpRequest extends AbstractClientHttpRequest {
    private final HttpMethod method;
    private final URI uri;
    private HttpClientRequest request;
    private Publisher<ByteBuffer> body;   // null: none

    FlowsockClientHttpRequest(HttpClient client, HttpMethod method, URI uri) {
        this.method = method;
        this.uri = uri;
        this.request = client.request(method.name()).uri(uri.toString());
    }

    @Override
    public HttpMethod getMethod() {
        return method;
    }

    @Override
    public URI getURI() {
        return uri;
    }

    @Override
    public DataBufferFactory bufferFactory() {
        return DefaultDataBufferFactory.sharedInstance;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getNativeRequest() {
        return (T) request;
    }

    @Override
    protected void applyHeaders() {
        HttpHeaders headers = getHeaders();
        // Spring's fields replace flowsock's defaults of the same name (User-Agent, Host)
        request = request.headers(h -> headers.forEach((String name, List<String> values) -> {
            h.remove(name);
            for (String value : values) {
                h.add(name, value);
            }
        }));
    }

    @Override
    protected void applyCookies() {
        if (getCookies().isEmpty()) {
            return;
        }
        StringJoiner line = new StringJoiner("; ");   // RFC 6265, 5.4: one Cookie field
        for (List<HttpCookie> cookies : getCookies().values()) {
            for (HttpCookie cookie : cookies) {
                line.add(cookie.getName() + "=" + cookie.getValue());
            }
        }
        String value = line.toString();
        request = request.headers(h -> h.set("Cookie", value));
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return doCommit(() -> {
            this.body = body instanceof Mono<? extends DataBuffer> mono
                    ? mono.map(OutboundBuffers::byteBuffer).doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                    : Flux.from(body).map(OutboundBuffers::byteBuffer).doOnDiscard(DataBuffer.class,
                            DataBufferUtils::release);
            return Mono.empty();
        });
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        // flowsock writes each buffer as it comes: every flush boundary is a write boundary already
        return writeWith(Flux.from(body).concatMap(Flux::from));
    }

    @Override
    public Mono<Void> setComplete() {
        return doCommit();
    }

    /** Sends the request as committed; a callback that neither wrote nor completed sends no body. */
    Mono<HttpClientResponse> exchange() {
        Mono<Void> commit = isCommitted() ? Mono.empty() : setComplete();
        return commit.then(Mono.defer(() -> (body == null ? request : request.send(body)).response()));
    }

    @Override
    public String toString() {
        return method.name() + " " + uri;
    }
}
