package io.flowsock.samples.spring;

import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

/** WebTestClient on the JDK's client, so Reactor Netty is needed on neither side. */
final class Samples {
    private Samples() {
    }

    static WebTestClient client(int port) {
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return WebTestClient.bindToServer(new JdkClientHttpConnector(jdk))
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 << 20))
                .build();
    }
}
