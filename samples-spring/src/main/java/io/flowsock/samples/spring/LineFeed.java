package io.flowsock.samples.spring;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import io.flowsock.core.ConnectException;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.Strings;
import io.flowsock.reactive.TcpClient;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /sse/feed}: server-sent events fed by a TCP source. Each request connects flowsock's
 * {@link TcpClient} to the source at {@code sample.feed.host}:{@code sample.feed.port} and sends
 * every line the source writes as one event (UTF-8, {@code \n} or {@code \r\n} ends a line), with
 * ids counting from 0. The stream ends when the source closes; a client that goes away closes the
 * source connection. A source that cannot be reached is a 502, before anything is sent.
 *
 * <p>The source is read only as fast as the client takes events: a slow client slows the source
 * through TCP, and nothing is buffered in between beyond a line.
 */
@Configuration(proxyBeanMethods = false)
public class LineFeed {
    /** Longest line taken from the source, in bytes; a longer one ends the stream with an error. */
    static final int MAX_LINE = 8192;

    private final TcpClient source;

    public LineFeed(@Value("${sample.feed.host:localhost}") String host,
                    @Value("${sample.feed.port:9000}") int port) {
        this.source = TcpClient.create().host(host).port(port).connectTimeout(Duration.ofSeconds(5));
    }

    @Bean
    RouterFunction<ServerResponse> feed() {
        return route(GET("/sse/feed"), req -> ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .body(events(), new ParameterizedTypeReference<ServerSentEvent<String>>() { }));
    }

    /**
     * Connects when the response subscribes, so the connect's failure comes before the commit and
     * becomes the response's status; the connection lives exactly as long as the event stream.
     */
    Flux<ServerSentEvent<String>> events() {
        return Flux.usingWhen(source.connect().onErrorMap(ConnectException.class, this::unreachable),
                LineFeed::lines,
                Connection::close,
                (conn, error) -> dispose(conn),
                LineFeed::dispose);
    }

    private static Flux<ServerSentEvent<String>> lines(Connection conn) {
        return Strings.lines(conn.inbound(), MAX_LINE).index()
                .map(line -> ServerSentEvent.builder(line.getT2()).id(Long.toString(line.getT1())).build());
    }

    private static Mono<Void> dispose(Connection conn) {
        conn.dispose();
        return Mono.empty();
    }

    private ResponseStatusException unreachable(Throwable e) {
        return new ResponseStatusException(HttpStatus.BAD_GATEWAY, "the feed source is not reachable: " + e.getMessage(), e);
    }
}
