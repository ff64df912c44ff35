package io.flowsock.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.http.HttpClient;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import io.flowsock.spring.FlowsockClientHttpConnector;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** {@code GET /sse/feed} against a flowsock TcpServer playing the line source. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.shutdown=immediate")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LineFeedTest {
    /** What the source does with each connection the sample makes; set by each test. */
    static volatile Function<Connection, Publisher<Void>> source = conn -> Mono.empty();
    static DisposableServer server;

    @LocalServerPort
    int port;

    @BeforeAll
    static void bindSource() {
        server = TcpServer.create().host("127.0.0.1").port(0).handle(conn -> source.apply(conn)).bindNow();
    }

    @AfterAll
    static void disposeSource() {
        server.disposeNow();
    }

    @DynamicPropertySource
    static void feed(DynamicPropertyRegistry properties) {
        properties.add("sample.feed.host", () -> "127.0.0.1");
        properties.add("sample.feed.port", () -> server.port());
    }

    private Flux<ServerSentEvent<String>> events() {
        return Samples.client(port).get().uri("/sse/feed").accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .getResponseBody();
    }

    @Test
    void eachLineTheSourceWritesIsAnEventAndTheStreamEndsWithTheSource() {
        // three bytes a write, so lines and a two-byte letter are cut across TCP segments; the last
        // line has no '\n' and is an event when the source closes
        byte[] text = "alpha\nbeta\r\nγάμμα\nlast".getBytes(StandardCharsets.UTF_8);
        source = conn -> conn.send(Flux.range(0, (text.length + 2) / 3)
                .map(i -> ByteBuffer.wrap(Arrays.copyOfRange(text, i * 3, Math.min(text.length, i * 3 + 3))))
                .delayElements(Duration.ofMillis(5)));
        StepVerifier.create(events())
                .expectNextMatches(e -> "alpha".equals(e.data()) && "0".equals(e.id()))
                .expectNextMatches(e -> "beta".equals(e.data()) && "1".equals(e.id()))
                .expectNextMatches(e -> "γάμμα".equals(e.data()) && "2".equals(e.id()))
                .expectNextMatches(e -> "last".equals(e.data()) && "3".equals(e.id()))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void eventsArriveAsTheSourceWritesThem() {
        // the source writes the second line only once the first has reached the client
        CountDownLatch firstSeen = new CountDownLatch(1);
        source = conn -> conn.sendString(Mono.just("first\n"))
                .then(Mono.fromCallable(() -> firstSeen.await(10, TimeUnit.SECONDS))
                        .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()))
                .then(conn.sendString(Mono.just("second\n")));
        StepVerifier.create(events())
                .expectNextMatches(e -> "first".equals(e.data()))
                .then(firstSeen::countDown)
                .expectNextMatches(e -> "second".equals(e.data()))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aClientThatLeavesClosesTheSourceConnection() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        source = conn -> {
            conn.onClose().subscribe(null, null, closed::countDown);
            // on demand, then delayed: Flux.interval would fail on a tick that found no demand
            return conn.sendString(Flux.range(0, Integer.MAX_VALUE).map(i -> "tick " + i + "\n")
                    .delayElements(Duration.ofMillis(20)));
        };
        // flowsock's connector closes the connection of a cancelled body; the JDK's client would
        // read and drop an endless body for ever
        HttpClient http = HttpClient.create();
        try {
            WebClient web = WebClient.builder().clientConnector(new FlowsockClientHttpConnector(http))
                    .baseUrl("http://127.0.0.1:" + port).build();
            StepVerifier.create(web.get().uri("/sse/feed").accept(MediaType.TEXT_EVENT_STREAM).retrieve()
                            .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { }).take(2))
                    .expectNextMatches(e -> "tick 0".equals(e.data()))
                    .expectNextMatches(e -> "tick 1".equals(e.data()))
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
            assertThat(closed.await(10, TimeUnit.SECONDS)).as("the source connection was closed").isTrue();
        } finally {
            http.dispose();
        }
    }
}
