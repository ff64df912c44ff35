package io.flowsock.spring;

import io.flowsock.http.HttpClient;
import io.flowsock.http.WebSocketSpec;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.client.WebSocketClient;
import reactor.core.publisher.Mono;

/**
 * WebFlux's {@link WebSocketClient} on flowsock's {@link HttpClient#websocket()}, where Reactor
 * Netty's {@code ReactorNettyWebSocketClient} would be used: the handler gets a session whose
 * received payloads are {@code DataBuffer}s wrapping flowsock's buffers, nothing to release.
 *
 * <pre>{@code
 * new FlowsockWebSocketClient().execute(URI.create("ws://localhost:8080/echo"),
 *         session -> session.send(Mono.just(session.textMessage("hello")))
 *                 .thenMany(session.receive().take(1).map(WebSocketMessage::getPayloadAsText))
 *                 .then());
 * }</pre>
 *
 * <p>The handler's {@link WebSocketHandler#getSubProtocols() subprotocols} are offered; the
 * request headers given to {@code execute} go with the handshake (the handshake's own fields
 * aside), and the 101's fields are the session's {@link HandshakeInfo#getHeaders()}. When the
 * handler's Mono ends, the WebSocket closes with 1000 (1011 if it failed); the Mono of
 * {@code execute} completes once the TCP connection is closed.
 */
// spring-webflux is optional here (requires static), as for FlowsockWebSocketSession
@SuppressWarnings("exports")
public final class FlowsockWebSocketClient implements WebSocketClient {
    private final HttpClient client;
    private final WebSocketSpec spec;
    private final DataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;

    /** On a client of flowsock's defaults ({@link HttpClient#create()}). */
    public FlowsockWebSocketClient() {
        this(HttpClient.create());
    }

    /** On {@code client}: its TCP settings, TLS, connect and response timeouts. */
    public FlowsockWebSocketClient(HttpClient client) {
        this(client, WebSocketSpec.defaults());
    }

    /**
     * On {@code client}, with {@code spec}'s largest message received, close timeout and
     * compression, as {@code ReactorNettyWebSocketClient} takes a {@code WebsocketClientSpec}:
     * {@code new FlowsockWebSocketClient(client, WebSocketSpec.defaults().compress(true))} offers
     * permessage-deflate. The handler's subprotocols are offered (the spec's, when it has none).
     */
    public FlowsockWebSocketClient(HttpClient client, WebSocketSpec spec) {
        this.client = Objects.requireNonNull(client, "client");
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    @Override
    public Mono<Void> execute(URI url, WebSocketHandler handler) {
        return execute(url, new HttpHeaders(), handler);
    }

    @Override
    public Mono<Void> execute(URI url, HttpHeaders headers, WebSocketHandler handler) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(handler, "handler");
        return Mono.defer(() -> client.websocket().uri(url.toString()).spec(spec)
                .headers(h -> headers.forEach((String name, List<String> values) -> {
                    h.remove(name);
                    for (String value : values) {
                        h.add(name, value);
                    }
                }))
                .subprotocols(handler.getSubProtocols())
                .handle(ws -> {
                    HttpHeaders answer = new HttpHeaders();
                    ws.handshakeHeaders().forEach(answer::add);
                    HandshakeInfo info = new HandshakeInfo(url, answer, Mono.empty(), ws.subprotocol());
                    return handler.handle(new FlowsockWebSocketSession(ws, info, buffers));
                }));
    }

    @Override
    public String toString() {
        return "FlowsockWebSocketClient on " + client;
    }
}
