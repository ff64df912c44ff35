package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * An application that asks Boot for a {@code WebClient.Builder} sends through flowsock's client,
 * to flowsock's server: the request is answered and the client's pool holds the connection.
 */
@SpringBootTest(classes = WebFluxApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "server.shutdown=immediate")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebClientOnFlowsockTest {
    @LocalServerPort
    int port;

    @Autowired
    WebClient.Builder builder;

    @Autowired
    HttpClient flowsockClient;

    @Test
    void bootsWebClientBuilderSendsThroughFlowsocksPooledClient() {
        WebClient client = builder.baseUrl("http://127.0.0.1:" + port).build();
        String hello = client.get().uri("/hello").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
        assertThat(hello).isEqualTo("Hello, World!");
        String echoed = client.post().uri("/echo").bodyValue("x".repeat(100_000)).retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(10));
        assertThat(echoed).hasSize(100_000);
        assertThat(flowsockClient.poolStats().open()).as("the pooled connection the two requests used").isEqualTo(1);
    }
}
