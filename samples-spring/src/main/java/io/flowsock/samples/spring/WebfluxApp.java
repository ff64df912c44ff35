package io.flowsock.samples.spring;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A WebFlux application on flowsock's HTTP server. Nothing in it names flowsock: the server comes
 * from flowsock-spring-boot-starter on the class path, with Reactor Netty's server left out.
 *
 * <pre>
 * curl localhost:8080/hello
 * curl --data-binary @some.file localhost:8080/echo
 * curl -N 'localhost:8080/sse?count=3'
 * curl -N localhost:8080/sse/feed                  # lines of the TCP source at sample.feed.host:port
 * curl --data-binary @some.file localhost:8080/upload
 * websocat ws://localhost:8080/ws/echo               # or any WebSocket client: each message comes back
 * </pre>
 *
 * <p>{@link LineFeed} ({@code /sse/feed}) and {@link Uploads} ({@code /upload}) are the other routes.
 */
@SpringBootApplication
public class WebfluxApp {
    /** Events a {@code GET /sse} without a {@code count} parameter sends. */
    static final int DEFAULT_TICKS = 5;

    public static void main(String[] args) {
        SpringApplication.run(WebfluxApp.class, args);
    }

    /** The annotated model: a fixed greeting and a body streamed back as it arrives. */
    @RestController
    public static class Endpoints {
        @GetMapping("/hello")
        public String hello() {
            return "Hello, World!";
        }

        /** Each buffer goes back out as it is read: no aggregation, so any size passes through. */
        @PostMapping("/echo")
        public Flux<DataBuffer> echo(@RequestBody Flux<DataBuffer> body) {
            return body;
        }
    }

    /** A WebSocket at {@code /ws/echo}: each text message back, prefixed; binary ones as they came. */
    @Bean
    HandlerMapping webSockets() {
        WebSocketHandler echo = session -> session.send(session.receive().map(m ->
                m.getType() == WebSocketMessage.Type.TEXT ? session.textMessage("echo: " + m.getPayloadAsText()) : m));
        return new SimpleUrlHandlerMapping(Map.of("/ws/echo", echo), -1);
    }

    /** The functional model: {@code GET /sse?count=n}, n ticks as server-sent events, then the end. */
    @Bean
    RouterFunction<ServerResponse> sse() {
        return route(GET("/sse"), WebfluxApp::ticks);
    }

    private static Mono<ServerResponse> ticks(ServerRequest request) {
        int count;
        try {
            count = request.queryParam("count").map(Integer::parseInt).orElse(DEFAULT_TICKS);
        } catch (NumberFormatException e) {
            return ServerResponse.badRequest().bodyValue("count must be a number");
        }
        if (count < 0) {
            return ServerResponse.badRequest().bodyValue("count must be >= 0, was " + count);
        }
        Flux<ServerSentEvent<String>> events = Flux.interval(Duration.ofMillis(100)).take(count)
                .map(i -> ServerSentEvent.builder("tick " + i).id(Long.toString(i)).build());
        return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .body(events, new ParameterizedTypeReference<ServerSentEvent<String>>() { });
    }
}
