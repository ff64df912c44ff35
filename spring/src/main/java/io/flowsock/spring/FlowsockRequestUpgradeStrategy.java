package io.flowsock.spring;

import io.flowsock.http.HttpServerResponse;
import io.flowsock.http.WebSocketSpec;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.RequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * WebFlux's WebSocket upgrade on flowsock's server, as {@code ReactorNettyRequestUpgradeStrategy}
 * is on Reactor Netty's: give it to {@code HandshakeWebSocketService}, which checks the handshake
 * and picks the subprotocol, and the {@link WebSocketHandler} runs on a {@link FlowsockWebSocketSession}.
 * flowsock-spring-boot does this by itself.
 *
 * <pre>{@code
 * @Bean
 * WebSocketHandlerAdapter webSocketHandlerAdapter() {
 *     return new WebSocketHandlerAdapter(new HandshakeWebSocketService(new FlowsockRequestUpgradeStrategy()));
 * }
 * }</pre>
 */
// spring-webflux is optional here (requires static), as spring-messaging is for FlowsockTcpClient: an
// application that uses this class has it and reads its module itself
@SuppressWarnings("exports")
public final class FlowsockRequestUpgradeStrategy implements RequestUpgradeStrategy {
    private final WebSocketSpec spec;

    /** With {@link WebSocketSpec#defaults()}: messages up to 64 KiB, as Reactor Netty's default frame limit. */
    public FlowsockRequestUpgradeStrategy() {
        this(WebSocketSpec.defaults());
    }

    /** With {@code spec}'s message limit and close timeout; the subprotocol is the one Spring picks. */
    public FlowsockRequestUpgradeStrategy(WebSocketSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    @Override
    public Mono<Void> upgrade(ServerWebExchange exchange, WebSocketHandler handler, String subProtocol,
                              Supplier<HandshakeInfo> handshakeInfoFactory) {
        ServerHttpResponse response = exchange.getResponse();
        Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        if (!(nativeResponse instanceof HttpServerResponse flowsock)) {
            return Mono.error(new IllegalStateException("FlowsockRequestUpgradeStrategy serves flowsock's server only;"
                    + " this response is " + nativeResponse.getClass().getName()));
        }
        HandshakeInfo info = handshakeInfoFactory.get();
        DataBufferFactory buffers = response.bufferFactory();
        WebSocketSpec s = spec.subprotocol(subProtocol);
        // Spring's commit actions first (headers and cookies set for the handshake go with the 101)
        return response.setComplete().then(Mono.defer(() -> flowsock.sendWebSocket(s,
                ws -> handler.handle(new FlowsockWebSocketSession(ws, info, buffers)))));
    }
}
