package io.flowsock.spring;

import io.flowsock.http.WebSocket;
import io.flowsock.http.WebSocketClose;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.util.ObjectUtils;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.adapter.AbstractWebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A flowsock {@link WebSocket} as WebFlux's {@code WebSocketSession}. Received payloads reach
 * Spring as {@code DataBuffer}s wrapping flowsock's buffers without a copy, nothing to release;
 * sent ones of Spring's {@code DefaultDataBufferFactory} are written without a copy, pooled ones
 * copied once and released at once.
 */
// spring-webflux is optional here (requires static), as spring-messaging is for FlowsockTcpClient: an
// application that uses this class has it and reads its module itself
@SuppressWarnings("exports")
public final class FlowsockWebSocketSession extends AbstractWebSocketSession<WebSocket> {

    public FlowsockWebSocketSession(WebSocket ws, HandshakeInfo info, DataBufferFactory buffers) {
        super(ws, ObjectUtils.getIdentityHexString(ws), info, buffers);
    }

    @Override
    public Flux<WebSocketMessage> receive() {
        return getDelegate().receive().map(m -> new WebSocketMessage(type(m.type()), bufferFactory().wrap(m.payload())));
    }

    @Override
    public Mono<Void> send(Publisher<WebSocketMessage> messages) {
        return getDelegate().send(Flux.from(messages)
                .map(m -> new io.flowsock.http.WebSocketMessage(type(m.getType()), OutboundBuffers.byteBuffer(m.getPayload()))));
    }

    @Override
    public boolean isOpen() {
        return getDelegate().isOpen();
    }

    @Override
    public Mono<Void> close(CloseStatus status) {
        String reason = status.getReason() == null ? "" : status.getReason();
        return Mono.defer(() -> getDelegate().close(status.getCode(), reason));
    }

    @Override
    public Mono<CloseStatus> closeStatus() {
        return getDelegate().onClose().map(FlowsockWebSocketSession::status);
    }

    private static CloseStatus status(WebSocketClose c) {
        return new CloseStatus(c.code(), c.reason().isEmpty() ? null : c.reason());
    }

    private static WebSocketMessage.Type type(io.flowsock.http.WebSocketMessage.Type t) {
        return switch (t) {
            case TEXT -> WebSocketMessage.Type.TEXT;
            case BINARY -> WebSocketMessage.Type.BINARY;
            case PING -> WebSocketMessage.Type.PING;
            case PONG -> WebSocketMessage.Type.PONG;
        };
    }

    private static io.flowsock.http.WebSocketMessage.Type type(WebSocketMessage.Type t) {
        return switch (t) {
            case TEXT -> io.flowsock.http.WebSocketMessage.Type.TEXT;
            case BINARY -> io.flowsock.http.WebSocketMessage.Type.BINARY;
            case PING -> io.flowsock.http.WebSocketMessage.Type.PING;
            case PONG -> io.flowsock.http.WebSocketMessage.Type.PONG;
        };
    }
}
