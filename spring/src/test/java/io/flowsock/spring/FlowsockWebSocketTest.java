package io.flowsock.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.http.HttpServer;
import io.flowsock.http.WebSocketSpec;
import io.flowsock.peers.JdkWebSocketClient;
import io.flowsock.reactive.DisposableServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * WebFlux's WebSocket support on flowsock: Spring's {@code HandshakeWebSocketService} checks the
 * handshake and runs a {@link WebSocketHandler} through {@link FlowsockRequestUpgradeStrategy},
 * against the JDK's WebSocket client; and WebFlux's client side, {@link FlowsockWebSocketClient},
 * running a handler against that server.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlowsockWebSocketTest {
    private DisposableServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    private int serve(WebSocketHandler ws) {
        return serve(new FlowsockRequestUpgradeStrategy(), ws);
    }

    private int serve(FlowsockRequestUpgradeStrategy strategy, WebSocketHandler ws) {
        HandshakeWebSocketService service = new HandshakeWebSocketService(strategy);
        HttpHandler app = WebHttpHandlerBuilder.webHandler(exchange -> service.handleRequest(exchange, ws)).build();
        server = HttpServer.create().host("127.0.0.1").handle(new FlowsockHttpHandlerAdapter(app)).bindNow();
        return server.port();
    }

    @Test
    void aWebSocketHandlerEchoesAndHearsTheClientsClose() throws Exception {
        Sinks.One<CloseStatus> status = Sinks.one();
        int port = serve(session -> {
            session.closeStatus().subscribe(status::tryEmitValue);
            return session.send(session.receive().map(m -> m.getType() == WebSocketMessage.Type.TEXT
                    ? session.textMessage("echo " + m.getPayloadAsText() + " from " + session.getHandshakeInfo().getUri().getPath())
                    : session.binaryMessage(f -> f.wrap(new byte[m.getPayload().readableByteCount() * 2]))));
        });
        JdkWebSocketClient c = JdkWebSocketClient.connect(port);
        c.ws().sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("echo hello from /ws");
        c.ws().sendBinary(ByteBuffer.wrap(new byte[100]), true).get(5, TimeUnit.SECONDS);
        assertThat((byte[]) c.next()).hasSize(200);
        c.ws().sendClose(4001, "bye").get(5, TimeUnit.SECONDS);
        assertThat(c.closeCode()).isEqualTo(4001);
        assertThat(status.asMono().block(Duration.ofSeconds(10))).isEqualTo(new CloseStatus(4001, "bye"));
    }

    @Test
    void theHandlerClosesWithItsStatusAndSpringsSubprotocolIsAnswered() throws Exception {
        int port = serve(speaking(java.util.List.of("v2.chat"), session -> session.send(Mono.just(
                        session.textMessage("protocol " + session.getHandshakeInfo().getSubProtocol())))
                .then(session.close(CloseStatus.POLICY_VIOLATION))));
        JdkWebSocketClient c = JdkWebSocketClient.connect(port, "v2.chat");
        assertThat(c.ws().getSubprotocol()).isEqualTo("v2.chat");
        assertThat(c.next()).isEqualTo("protocol v2.chat");
        assertThat(c.closeCode()).isEqualTo(1008);
    }

    @Test
    void aPingFromTheHandlerIsAnsweredAndThePongReachesIt() throws Exception {
        Sinks.One<String> pong = Sinks.one();
        int port = serve(session -> session.send(Mono.just(session.pingMessage(
                        f -> f.wrap("ping-1".getBytes(StandardCharsets.UTF_8)))))
                .thenMany(session.receive().filter(m -> m.getType() == WebSocketMessage.Type.PONG).take(1)
                        .doOnNext(m -> pong.tryEmitValue(m.getPayloadAsText())))
                .then());
        JdkWebSocketClient c = JdkWebSocketClient.connect(port);
        assertThat(pong.asMono().block(Duration.ofSeconds(10))).isEqualTo("ping-1");   // the JDK client answers pings
        assertThat(c.closeCode()).isEqualTo(1000);
    }

    @Test
    void flowsocksWebSocketClientRunsAHandlerWithItsSubprotocolAndHeaders() {
        int port = serve(speaking(java.util.List.of("v2.chat"), session -> {
            String asked = session.getHandshakeInfo().getHeaders().getFirst("X-Asked");
            return session.send(session.receive().map(m -> session.textMessage(asked + ": " + m.getPayloadAsText())));
        }));
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        headers.add("X-Asked", "by spring");
        java.util.List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        FlowsockWebSocketClient client = new FlowsockWebSocketClient();
        reactor.test.StepVerifier.create(client.execute(java.net.URI.create("ws://127.0.0.1:" + port + "/ws"), headers,
                        speaking(java.util.List.of("v1.chat", "v2.chat"), session -> {
                            got.add(session.getHandshakeInfo().getSubProtocol());
                            return session.send(reactor.core.publisher.Flux.just("one", "two").map(session::textMessage))
                                    .thenMany(session.receive().take(2).map(WebSocketMessage::getPayloadAsText))
                                    .doOnNext(got::add)
                                    .then();
                        })))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(got).containsExactly("v2.chat", "by spring: one", "by spring: two");
    }

    @Test
    void permessageDeflateIsAgreedThroughSpringsHandshakeOnBothSides() {
        WebSocketSpec compress = WebSocketSpec.defaults().compress(true);
        int port = serve(new FlowsockRequestUpgradeStrategy(compress),
                session -> session.send(session.receive().map(m -> session.textMessage("echo " + m.getPayloadAsText()))));
        java.util.List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        String text = "a message that repeats itself, ".repeat(200);
        FlowsockWebSocketClient client = new FlowsockWebSocketClient(io.flowsock.http.HttpClient.create(), compress);
        reactor.test.StepVerifier.create(client.execute(java.net.URI.create("ws://127.0.0.1:" + port + "/ws"), session -> {
                    got.add(session.getHandshakeInfo().getHeaders().getFirst("Sec-WebSocket-Extensions"));
                    return session.send(reactor.core.publisher.Flux.just(text, "two").map(session::textMessage))
                            .thenMany(session.receive().take(2).map(WebSocketMessage::getPayloadAsText))
                            .doOnNext(got::add)
                            .then();
                }))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        assertThat(got).containsExactly("permessage-deflate", "echo " + text, "echo two");
    }

    /** A handler with subprotocols: the interface's default has none. */
    private static WebSocketHandler speaking(java.util.List<String> protocols, WebSocketHandler body) {
        return new WebSocketHandler() {
            @Override
            public java.util.List<String> getSubProtocols() {
                return protocols;
            }

            @Override
            public Mono<Void> handle(org.springframework.web.reactive.socket.WebSocketSession session) {
                return body.handle(session);
            }
        };
    }
}
