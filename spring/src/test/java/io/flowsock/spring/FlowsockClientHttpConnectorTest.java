package io.flowsock.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.http.HttpClient;
import io.flowsock.http.HttpServer;
import io.flowsock.reactive.DisposableServer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowsockClientHttpConnectorTest {
    private static final Duration VERIFY = Duration.ofSeconds(20);

    private DisposableServer server;
    private HttpClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.dispose();
        }
        if (server != null) {
            server.disposeNow(Duration.ofSeconds(2));
        }
    }

    /** WebClient on the connector, against {@code handler} served by flowsock's server through the adapter. */
    private WebClient serve(HttpHandler handler) {
        server = HttpServer.create().host("127.0.0.1").handle(new FlowsockHttpHandlerAdapter(handler)).bindNow();
        client = HttpClient.create().maxConnections(1).pendingAcquireTimeout(Duration.ofSeconds(10));
        return WebClient.builder().clientConnector(new FlowsockClientHttpConnector(client))
                .baseUrl("http://127.0.0.1:" + server.port()).build();
    }

    private static Mono<Void> text(ServerHttpResponse response, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().setContentLength(bytes.length);
        response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    /** A cancelled body's connection closes on its port thread, just after the cancel: wait for it, briefly. */
    private void assertNoBusyConnection() {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (client.poolStats().open() != client.poolStats().idle() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        HttpClient.PoolStats stats = client.poolStats();
        assertThat(stats.open()).as("open connections: %s", stats).isEqualTo(stats.idle());
        assertThat(stats.pending()).isZero();
    }

    @Test
    void getReadsTextAndTheConnectionGoesBackToThePool() {
        WebClient web = serve((req, res) -> text(res, "hello " + req.getURI().getPath()));
        for (int i = 0; i < 3; i++) {   // one connection: a leaked one would make the second wait
            StepVerifier.create(web.get().uri("/hi").retrieve().bodyToMono(String.class))
                    .expectNext("hello /hi").expectComplete().verify(VERIFY);
        }
        assertThat(client.poolStats()).isEqualTo(new HttpClient.PoolStats(1, 1, 0));
    }

    @Test
    void headersAndCookiesGoBothWays() {
        WebClient web = serve((req, res) -> {
            res.setStatusCode(HttpStatus.ACCEPTED);
            res.getHeaders().add("X-Out", "1");
            res.getHeaders().add("X-Out", "2");
            res.addCookie(ResponseCookie.from("id", "42").path("/").httpOnly(true).sameSite("Lax").build());
            res.addCookie(ResponseCookie.from("theme", "dark").maxAge(60).build());
            return text(res, req.getHeaders().get("X-In") + " " + req.getHeaders().getFirst("User-Agent")
                    + " " + req.getHeaders().get("Cookie") + " " + req.getCookies().getFirst("b").getValue());
        });
        StepVerifier.create(web.get().uri("/h").header("X-In", "a", "b").header("User-Agent", "spring")
                        .cookie("a", "1").cookie("b", "two")
                        .exchangeToMono(r -> r.bodyToMono(String.class).map(body -> r.statusCode().value() + " "
                                + r.headers().header("X-Out") + " " + r.cookies().get("id") + " "
                                + r.cookies().getFirst("theme").getMaxAge() + " " + body)))
                .expectNext("202 [1, 2] [id=42; Path=/; HttpOnly; SameSite=Lax] PT1M [a, b] spring [a=1; b=two] two")
                .expectComplete().verify(VERIFY);
    }

    @Test
    void aStreamedPostIsEchoedByteForByte() {
        WebClient web = serve((req, res) -> {
            res.getHeaders().set("X-Framing", String.valueOf(req.getHeaders().getFirst("Transfer-Encoding")));
            return res.writeWith(req.getBody());
        });
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        Flux<DataBuffer> body = Flux.range(0, 48)
                .map(i -> DefaultDataBufferFactory.sharedInstance.wrap(ByteBuffer.wrap(data, i << 16, 1 << 16)));
        StepVerifier.create(web.mutate().codecs(c -> c.defaultCodecs().maxInMemorySize(data.length)).build()
                        .post().uri("/echo").contentType(MediaType.APPLICATION_OCTET_STREAM)
                        .body(body, DataBuffer.class)
                        .retrieve().toEntity(byte[].class))
                .assertNext(e -> {
                    assertThat(e.getHeaders().getFirst("X-Framing")).isEqualTo("chunked");
                    assertThat(e.getBody()).isEqualTo(data);
                })
                .expectComplete().verify(VERIFY);
        assertNoBusyConnection();
    }

    @Test
    void jsonGoesBothWaysThroughJackson() {
        WebClient web = serve((req, res) -> {
            res.getHeaders().setContentType(req.getHeaders().getContentType());
            res.getHeaders().setContentLength(req.getHeaders().getContentLength());
            return res.writeWith(req.getBody());
        });
        StepVerifier.create(web.put().uri("/json").bodyValue(Map.of("name", "flowsock", "port", 8080))
                        .retrieve().bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() { }))
                .expectNext(Map.of("name", "flowsock", "port", 8080)).expectComplete().verify(VERIFY);
    }

    @Test
    void aWebFluxRouteServedByFlowsockAnswersJsonAndNotFound() {
        RouterFunction<ServerResponse> routes = RouterFunctions.route()
                .POST("/greet", req -> req.bodyToMono(new ParameterizedTypeReference<Map<String, String>>() { })
                        .flatMap(in -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(Map.of("greeting", "hello " + in.get("name")))))
                .build();
        WebClient web = serve(RouterFunctions.toHttpHandler(routes));
        StepVerifier.create(web.post().uri("/greet").bodyValue(Map.of("name", "spring"))
                        .retrieve().bodyToMono(new ParameterizedTypeReference<Map<String, String>>() { }))
                .expectNext(Map.of("greeting", "hello spring")).expectComplete().verify(VERIFY);
        StepVerifier.create(web.get().uri("/nowhere").retrieve().toBodilessEntity())
                .expectError(WebClientResponseException.NotFound.class).verify(VERIFY);
        assertNoBusyConnection();
    }

    @Test
    void aNotFoundIsMappedByRetrieveToWebClientResponseException() {
        WebClient web = serve((req, res) -> {
            res.setStatusCode(HttpStatus.NOT_FOUND);
            return text(res, "no " + req.getURI().getPath());
        });
        StepVerifier.create(web.get().uri("/missing").retrieve().bodyToMono(String.class))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(WebClientResponseException.NotFound.class);
                    WebClientResponseException x = (WebClientResponseException) e;
                    assertThat(x.getStatusCode().value()).isEqualTo(404);
                    assertThat(x.getResponseBodyAsString()).isEqualTo("no /missing");
                })
                .verify(VERIFY);
        assertNoBusyConnection();
    }

    @Test
    void aLargeDownloadIsReadOnlyAsFastAsItIsRequested() throws InterruptedException {
        AtomicLong produced = new AtomicLong();
        int total = 1024;   // 64 MiB in 64 KiB buffers
        WebClient web = serve((req, res) -> {
            res.getHeaders().setContentLength((long) total << 16);
            return res.writeWith(Flux.range(0, total).map(i -> res.bufferFactory().wrap(new byte[1 << 16]))
                    .doOnNext(b -> produced.incrementAndGet()));
        });
        AtomicLong received = new AtomicLong();
        Flux<DataBuffer> download = web.get().uri("/big").retrieve().bodyToFlux(DataBuffer.class)
                .doOnNext(b -> received.addAndGet(b.readableByteCount()));
        StepVerifier.create(download, 1)
                .expectNextCount(1)
                .then(() -> {
                    try {
                        Thread.sleep(500);   // time enough for an unbounded reader to take far more
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    // socket buffers hold a few MiB; the rest waits in the server until the reader asks
                    assertThat(produced.get()).isLessThan(total / 2);
                    assertThat(received.get()).isLessThanOrEqualTo(1 << 16);
                })
                .thenRequest(Long.MAX_VALUE)
                .thenConsumeWhile(b -> true)
                .expectComplete().verify(Duration.ofSeconds(40));
        assertThat(received.get()).isEqualTo((long) total << 16);
        assertNoBusyConnection();
    }

    @Test
    void toBodilessEntityReadsTheBodyAwaySoNoConnectionStaysBusy() {
        WebClient web = serve((req, res) -> res.writeWith(Flux.range(0, 16)
                .map(i -> res.bufferFactory().wrap(new byte[1 << 16]))));
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(web.get().uri("/unread").retrieve().toBodilessEntity().map(ResponseEntity::getStatusCode))
                    .expectNext(HttpStatus.OK).expectComplete().verify(VERIFY);
            assertNoBusyConnection();
        }
    }

    @Test
    void aCancelledBodyClosesItsConnectionRatherThanKeepIt() {
        WebClient web = serve((req, res) -> res.writeWith(Flux.range(0, 256)
                .map(i -> res.bufferFactory().wrap(new byte[1 << 16]))));
        StepVerifier.create(web.get().uri("/cut").retrieve().bodyToFlux(DataBuffer.class).take(1).count())
                .expectNext(1L).expectComplete().verify(VERIFY);
        assertNoBusyConnection();
        StepVerifier.create(web.get().uri("/again").exchangeToMono(r -> Mono.just("unread")))
                .expectNext("unread").expectComplete().verify(VERIFY);
        assertNoBusyConnection();
    }

    @Test
    void theConnectorExposesItsClientAndTheResponseItsBodyOnce() {
        serve((req, res) -> text(res, "once"));
        FlowsockClientHttpConnector connector = new FlowsockClientHttpConnector(client);
        assertThat(connector.client()).isSameAs(client);
        StepVerifier.create(connector.connect(HttpMethod.GET, URI.create("http://127.0.0.1:" + server.port() + "/"),
                                request -> request.setComplete())
                        .flatMap((ClientHttpResponse r) -> r.getBody().count()
                                .then(r.getBody().count().onErrorResume(IllegalStateException.class, e -> Mono.just(-1L)))))
                .expectNext(-1L).expectComplete().verify(VERIFY);
    }
}
