package io.flowsock.spring.boot;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A WebFlux application as anyone would write it: nothing in it knows which server runs it. */
@SpringBootApplication
public class WebFluxApp {
    /** Counted down when /slow has started: a shutdown test closes the context then. */
    static volatile CountDownLatch slowArrived = new CountDownLatch(1);

    public record Greeting(String name, int length) {
    }

    @ResponseStatus(HttpStatus.CONFLICT)
    static final class Conflict extends RuntimeException {
        Conflict(String message) {
            super(message);
        }
    }

    @RestController
    public static class Endpoints {
        @GetMapping("/hello")
        public String hello() {
            return "Hello, World!";
        }

        @PostMapping("/echo")
        public Flux<DataBuffer> echo(@RequestBody Flux<DataBuffer> body) {
            return body;
        }

        @GetMapping("/greeting")
        public Greeting greeting(@RequestParam("name") String name) {
            return new Greeting(name, name.length());
        }

        @PostMapping("/greeting")
        public Mono<Greeting> shout(@RequestBody Mono<Greeting> greeting) {
            return greeting.map(g -> new Greeting(g.name().toUpperCase(java.util.Locale.ROOT), g.length() * 2));
        }

        @GetMapping(value = "/ticks", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
        public Flux<ServerSentEvent<String>> ticks() {
            // bounded so it ends by itself; the test reads the first two and cancels. Buffered: an
            // interval ticks whether or not the response has asked for more, and the first write of
            // a cold JVM under BlockHound can take longer than a tick, on any server
            return Flux.interval(Duration.ofMillis(50)).take(100).onBackpressureBuffer()
                    .map(i -> ServerSentEvent.builder("tick " + i).id(Long.toString(i)).build());
        }

        @GetMapping(value = "/greetings", produces = MediaType.APPLICATION_NDJSON_VALUE)
        public Flux<Greeting> greetings() {
            return Flux.range(1, 3).map(i -> new Greeting("n" + i, i));
        }

        @GetMapping("/conflict")
        public Mono<String> conflict() {
            return Mono.error(new Conflict("taken"));
        }

        @GetMapping("/cookie")
        public String cookie(@CookieValue("flavour") String flavour, ServerHttpResponse response) {
            response.addCookie(ResponseCookie.from("seen", flavour).path("/").httpOnly(true).build());
            return "flavour " + flavour;
        }

        @GetMapping("/where")
        public String where(ServerHttpRequest request) {
            return request.getURI() + " from " + request.getRemoteAddress().getAddress().getHostAddress()
                    + " to " + request.getLocalAddress().getPort();
        }

        @GetMapping("/slow")
        public Mono<String> slow() {
            return Mono.fromRunnable(() -> slowArrived.countDown())
                    .then(Mono.delay(Duration.ofMillis(700)))
                    .thenReturn("finished");
        }
    }

    @Bean
    RouterFunction<ServerResponse> functional() {
        return route(GET("/fn"), req -> ServerResponse.ok().bodyValue("functional " + req.queryParam("x").orElse("")))
                .andRoute(POST("/fn/form"), req -> ServerResponse.ok()
                        .body(req.formData().map(form -> "functional " + new TreeMap<>(form)), String.class));
    }
}
