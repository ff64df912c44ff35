package io.flowsock.spring.boot;

import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

/** WebTestClient on the JDK's HttpClient, so no Reactor Netty is needed on either side. */
final class Clients {
    private Clients() {
    }

    static HttpClient jdk() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    static WebTestClient webTestClient(int port) {
        return WebTestClient.bindToServer(new JdkClientHttpConnector(jdk()))
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 << 20))
                .build();
    }
}
