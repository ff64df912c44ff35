package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@SpringBootTest(classes = WebFluxApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "server.shutdown=immediate")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlowsockWebFluxTest {
    @LocalServerPort
    int port;

    @Autowired
    WebServerApplicationContext context;

    WebTestClient client;

    @BeforeEach
    void client() {
        client = Clients.webTestClient(port);
    }

    @Test
    void theServerIsFlowsocksAndReactorNettysIsNotOnTheClassPath() {
        assertThat(context.getWebServer()).isInstanceOf(FlowsockWebServer.class);
        assertThat(context.getWebServer().getPort()).isEqualTo(port).isPositive();
        assertThat(context.getBean(FlowsockReactiveWebServerFactory.class)).isNotNull();
        assertThatThrownBy(() -> Class.forName("reactor.netty.http.server.HttpServer"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void annotatedGetAnswersWithContentLength() {
        client.get().uri("/hello").exchange()
                .expectStatus().isOk()
                .expectHeader().contentLength(13)
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
                .expectBody(String.class).isEqualTo("Hello, World!");
    }

    @Test
    void headAnswersTheHeadOfGetWithoutBody() {
        client.method(HttpMethod.HEAD).uri("/hello").exchange()
                .expectStatus().isOk()
                .expectHeader().contentLength(13)
                .expectBody().isEmpty();
    }

    @Test
    void echoStreamsALargeBodyBack() {
        byte[] bytes = new byte[3 * 1024 * 1024 + 7];
        new Random(7).nextBytes(bytes);
        client.post().uri("/echo").contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(bytes).exchange()
                .expectStatus().isOk()
                .expectBody(byte[].class).isEqualTo(bytes);
    }

    @Test
    void jsonGoesBothWaysThroughJackson() {
        client.get().uri("/greeting?name=flowsock").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().json("{\"name\":\"flowsock\",\"length\":8}");
        client.post().uri("/greeting").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\":\"abc\",\"length\":3}").exchange()
                .expectStatus().isOk()
                .expectBody(WebFluxApp.Greeting.class).isEqualTo(new WebFluxApp.Greeting("ABC", 6));
    }

    @Test
    void functionalRouteAnswers() {
        client.get().uri("/fn?x=1").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).isEqualTo("functional 1");
    }

    @Test
    void serverSentEventsArriveAsTheyAreProduced() {
        // the stream runs for seconds; the first two events can only arrive this early if each is
        // written when produced
        Flux<ServerSentEvent<String>> events = client.get().uri("/ticks").accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .getResponseBody();
        StepVerifier.create(events.take(2))
                .expectNextMatches(e -> "tick 0".equals(e.data()) && "0".equals(e.id()))
                .expectNextMatches(e -> "tick 1".equals(e.data()) && "1".equals(e.id()))
                .expectComplete()
                .verify(Duration.ofSeconds(4));
    }

    @Test
    void ndjsonStreamsOneObjectPerLine() {
        Flux<WebFluxApp.Greeting> greetings = client.get().uri("/greetings").accept(MediaType.APPLICATION_NDJSON)
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Transfer-Encoding", "chunked")
                .returnResult(WebFluxApp.Greeting.class)
                .getResponseBody();
        StepVerifier.create(greetings)
                .expectNext(new WebFluxApp.Greeting("n1", 1), new WebFluxApp.Greeting("n2", 2), new WebFluxApp.Greeting("n3", 3))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void anExceptionMapsToItsStatusAndAMissingRouteTo404() {
        client.get().uri("/conflict").exchange().expectStatus().isEqualTo(409);
        client.get().uri("/nowhere").exchange().expectStatus().isNotFound();
    }

    @Test
    void cookiesArriveParsedAndLeaveAsSetCookie() {
        client.get().uri("/cookie").header("Cookie", "other=1; flavour=\"oat\"").exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Set-Cookie", "seen=oat; Path=/; HttpOnly")
                .expectBody(String.class).isEqualTo("flavour oat");
    }

    @Test
    void theRequestKnowsItsUriAndAddresses() {
        client.get().uri("/where?q=1").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).isEqualTo("http://127.0.0.1:" + port + "/where?q=1 from 127.0.0.1 to " + port);
    }
}
