package io.flowsock.spring;

import io.flowsock.http.HttpServerRequest;
import io.flowsock.http.HttpServerResponse;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHeadResponseDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Serves a Spring {@link HttpHandler} (what {@code WebHttpHandlerBuilder} builds for a WebFlux
 * application) on flowsock's {@code HttpServer}:
 *
 * <pre>{@code
 * HttpHandler app = WebHttpHandlerBuilder.applicationContext(context).build();
 * DisposableServer server = HttpServer.create().port(8080)
 *         .handle(new FlowsockHttpHandlerAdapter(app))
 *         .bindNow();
 * }</pre>
 *
 * <p><b>Threading.</b> Stateless; each exchange runs on its connection's port thread, so the
 * application must not block, as on any WebFlux server.
 *
 * <p><b>Buffers.</b> Request bodies reach Spring as {@code DataBuffer}s wrapping flowsock's
 * buffers without a copy ({@link DefaultDataBufferFactory}): nothing to release. Response
 * {@code DataBuffer}s of that factory are written without a copy; pooled ones (Netty's) are copied
 * once and released at once.
 *
 * <p><b>Lifecycle.</b> An exchange ends when the handler's {@code Mono} ends; a response it has
 * not committed by then is completed with {@code setComplete()}: an empty body with the status,
 * headers and cookies set. A handler error before the commit is flowsock's 500.
 */
public final class FlowsockHttpHandlerAdapter
        implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {
    private static final Logger log = Loggers.getLogger(FlowsockHttpHandlerAdapter.class);

    private final HttpHandler handler;
    private final DataBufferFactory buffers;

    public FlowsockHttpHandlerAdapter(HttpHandler handler) {
        this(handler, DefaultDataBufferFactory.sharedInstance);
    }

    /** With the factory Spring's encoders get from {@code response.bufferFactory()}. */
    public FlowsockHttpHandlerAdapter(HttpHandler handler, DefaultDataBufferFactory buffers) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.buffers = Objects.requireNonNull(buffers, "buffers");
    }

    @Override
    public Mono<Void> apply(HttpServerRequest req, HttpServerResponse res) {
        FlowsockServerHttpRequest request;
        try {
            request = new FlowsockServerHttpRequest(req, buffers);
        } catch (URISyntaxException | IllegalArgumentException e) {
            // the parser accepted the request line, but Spring needs a java.net.URI of it
            if (log.isDebugEnabled()) {
                log.debug("400 for a request target that is no URI: " + req.uri(), e);
            }
            return res.status(400).sendString(Mono.just("the request target is not a valid URI"));
        }
        ServerHttpResponse response = new FlowsockServerHttpResponse(res, buffers);
        if (request.getMethod() == HttpMethod.HEAD) {
            // Spring's own: counts a whole body into Content-Length and drops it
            response = new HttpHeadResponseDecorator(response);
        }
        // a handler that ends without committing (HEAD through Spring's decorator, a raw handler that
        // forgot setComplete) still gets its status, headers and cookies out; on a committed
        // response setComplete does nothing
        ServerHttpResponse committing = response;
        return handler.handle(request, response).then(Mono.defer(committing::setComplete));
    }
}
