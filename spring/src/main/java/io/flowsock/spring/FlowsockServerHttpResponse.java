package io.flowsock.spring;

import io.flowsock.http.HttpServerResponse;
import java.util.List;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A flowsock response as Spring's {@code ServerHttpResponse}. Spring's {@link HttpHeaders} are a
 * view of the flowsock response's fields ({@link HeaderFields}): what the application sets is
 * what flowsock sends, with nothing to copy. Spring commits (status and cookies applied) right
 * before the first write, and flowsock sends the head when that write is subscribed. A body Spring gives as a {@code Mono} goes out with
 * Content-Length, any other one chunked; with {@link #writeAndFlushWith} (SSE, NDJSON) every
 * buffer is written as soon as it is produced.
 */
final class FlowsockServerHttpResponse extends AbstractServerHttpResponse {
    private final HttpServerResponse response;

    FlowsockServerHttpResponse(HttpServerResponse response, DataBufferFactory buffers) {
        super(buffers, new HttpHeaders(new HeaderFields(response.headers())));
        this.response = response;
    }

    @Override
    public HttpStatusCode getStatusCode() {
        HttpStatusCode status = super.getStatusCode();
        return status != null ? status : HttpStatusCode.valueOf(response.status());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getNativeResponse() {
        return (T) response;
    }

    @Override
    protected void applyStatusCode() {
        HttpStatusCode status = super.getStatusCode();
        if (status != null) {
            response.status(status.value());
        }
    }

    @Override
    protected void applyHeaders() {
        // the headers are the flowsock response's own fields already
    }

    @Override
    protected void applyCookies() {
        for (List<ResponseCookie> cookies : getCookies().values()) {
            for (ResponseCookie cookie : cookies) {
                response.addHeader("Set-Cookie", cookie.toString());
            }
        }
    }

    @Override
    protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
        if (body instanceof Mono<?>) {
            return response.send(Mono.from(body).map(OutboundBuffers::byteBuffer));
        }
        return response.send(Flux.from(body).map(OutboundBuffers::byteBuffer));
    }

    @Override
    protected Mono<Void> writeAndFlushWithInternal(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        // flowsock writes each buffer when it arrives (sendcap bounds how many are in flight), so
        // every flush boundary is already a write boundary
        return response.send(Flux.from(body).concatMap(part -> Flux.from(part).map(OutboundBuffers::byteBuffer)));
    }
}
