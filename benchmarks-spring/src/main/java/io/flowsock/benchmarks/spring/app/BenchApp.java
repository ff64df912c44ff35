package io.flowsock.benchmarks.spring.app;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
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
 * The WebFlux application of the benchmarks' webflux- scenarios, the same on both servers: nothing
 * in it names a server, which comes from the class path (see WebfluxServerMain).
 *
 * <ul>
 * <li>{@code GET /hello}: an annotated controller answering {@value #HELLO} as text/plain.</li>
 * <li>{@code GET /json}: the same controller answering a small {@link Message} through Jackson.</li>
 * <li>{@code GET /sse?count=n}: a functional route streaming n ticks as server-sent events
 *     ({@code id:i} and {@code data:tick i}), each produced when the connection asks for it, so the
 *     stream goes as fast as the server writes; Spring writes each event as its own part.</li>
 * <li>{@code /ws}: a {@code WebSocketHandler} that sends every message back as it came
 *     (retained: on Reactor Netty a received payload is released once it is handled).</li>
 * </ul>
 */
@SpringBootApplication
public class BenchApp {
    public static final String HELLO = "Hello, World!";
    /** The body of {@code GET /json}: {@code {"message":"Hello, World!"}}. */
    public static final String JSON = "{\"message\":\"" + HELLO + "\"}";
    /** Events of a {@code GET /sse} without a count. */
    static final int DEFAULT_TICKS = 10;
    /** The largest count a request may ask for: a stream is bounded. */
    static final int MAX_TICKS = 10_000_000;

    /** What {@code GET /json} serializes. */
    public record Message(String message) {
    }

    /** The annotated model. */
    @RestController
    public static class Endpoints {
        @GetMapping(value = "/hello", produces = MediaType.TEXT_PLAIN_VALUE)
        public String hello() {
            return HELLO;
        }

        @GetMapping(value = "/json", produces = MediaType.APPLICATION_JSON_VALUE)
        public Message json() {
            return new Message(HELLO);
        }
    }

    /** {@code /ws}: the WebSocket echo of the webflux-ws-echo scenario. */
    @Bean
    HandlerMapping webSocketEcho() {
        WebSocketHandler echo = session -> session.send(session.receive().map(WebSocketMessage::retain));
        return new SimpleUrlHandlerMapping(Map.of("/ws", echo), -1);
    }

    /** The functional model: {@code GET /sse?count=n}. */
    @Bean
    RouterFunction<ServerResponse> sse() {
        return route(GET("/sse"), BenchApp::ticks);
    }

    private static Mono<ServerResponse> ticks(ServerRequest request) {
        int count = count(request.queryParam("count").orElse(Integer.toString(DEFAULT_TICKS)));
        if (count < 0) {
            return ServerResponse.badRequest().bodyValue("count must be a whole number in 0.." + MAX_TICKS);
        }
        Flux<ServerSentEvent<String>> events = Flux.range(0, count)
                .map(i -> ServerSentEvent.builder("tick " + i).id(Integer.toString(i)).build());
        return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .body(events, new ParameterizedTypeReference<ServerSentEvent<String>>() { });
    }

    /** The count asked for, or -1 when it is no number or out of bounds. */
    public static int count(String text) {
        try {
            int n = Integer.parseInt(text);
            return n <= MAX_TICKS ? Math.max(n, -1) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
