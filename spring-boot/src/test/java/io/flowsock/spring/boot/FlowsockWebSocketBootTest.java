package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.spring.FlowsockRequestUpgradeStrategy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;

/**
 * A Boot application's {@link WebSocketHandler}, mapped as WebFlux's reference documentation
 * maps one, runs on flowsock with nothing configured: the JDK's WebSocket client echoes through it.
 */
@SpringBootTest(classes = FlowsockWebSocketBootTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlowsockWebSocketBootTest {
    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @SpringBootApplication
    static class App {
        @Bean
        HandlerMapping webSocketMapping() {
            WebSocketHandler echo = session -> session.send(session.receive()
                    .map(m -> session.textMessage("echo: " + m.getPayloadAsText())));
            return new SimpleUrlHandlerMapping(Map.of("/echo", echo), -1);
        }
    }

    @Test
    void aMappedWebSocketHandlerEchoesOverFlowsock() throws Exception {
        assertThat(context.getBean(FlowsockRequestUpgradeStrategy.class)).isNotNull();
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/echo"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        got.add(data.toString());
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(code);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("hi boot", true).get(5, TimeUnit.SECONDS);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: hi boot");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }
}
