package io.flowsock.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.spring.boot.FlowsockReactiveWebServerFactory;
import java.net.http.HttpClient;
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
import org.springframework.boot.web.server.reactive.ReactiveWebServerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.shutdown=immediate")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebfluxAppTest {
    @LocalServerPort
    int port;

    @Autowired
    WebServerApplicationContext context;

    WebTestClient client;

    @BeforeEach
    void client() {
        // the JDK's client, so Reactor Netty is needed on neither side
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        client = WebTestClient.bindToServer(new JdkClientHttpConnector(jdk))
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(4 << 20))
                .build();
    }

    @Test
    void theServerIsFlowsocksAndReactorNettysIsNotOnTheClassPath() {
        // FlowsockWebServer is package-private in flowsock-spring-boot: its name is what can be checked
        assertThat(context.getWebServer().getClass().getName()).isEqualTo("io.flowsock.spring.boot.FlowsockWebServer");
        assertThat(context.getBean(ReactiveWebServerFactory.class)).isInstanceOf(FlowsockReactiveWebServerFactory.class);
        assertThat(context.getWebServer().getPort()).isEqualTo(port).isPositive();
        assertThatThrownBy(() -> Class.forName("reactor.netty.http.server.HttpServer"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void helloAnswersHelloWorld() {
        client.get().uri("/hello").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).isEqualTo("Hello, World!");
    }

    @Test
    void echoReturnsAMebibyteByteForByte() {
        byte[] bytes = new byte[1 << 20];
        new Random(11).nextBytes(bytes);
        client.post().uri("/echo").contentType(MediaType.APPLICATION_OCTET_STREAM).bodyValue(bytes).exchange()
                .expectStatus().isOk()
                .expectBody(byte[].class).isEqualTo(bytes);
    }

    @Test
    void sseSendsCountTicksThenEnds() {
        StepVerifier.create(ticks("/sse?count=3"))
                .expectNextMatches(e -> "tick 0".equals(e.data()) && "0".equals(e.id()))
                .expectNextCount(2)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void sseWithoutCountSendsFiveTicks() {
        StepVerifier.create(ticks("/sse"))
                .expectNextCount(WebfluxApp.DEFAULT_TICKS)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void sseRefusesACountThatIsNoNumber() {
        client.get().uri("/sse?count=many").exchange().expectStatus().isBadRequest();
    }

    private Flux<ServerSentEvent<String>> ticks(String uri) {
        return client.get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .getResponseBody();
    }
}
