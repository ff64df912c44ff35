package io.flowsock.samples.spring;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code GET /sse/feed} when nothing listens at the source's address. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.shutdown=immediate")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LineFeedUnreachableTest {
    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void feed(DynamicPropertyRegistry properties) throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();   // free again once closed: connecting is refused
        }
        properties.add("sample.feed.host", () -> "127.0.0.1");
        properties.add("sample.feed.port", () -> closedPort);
    }

    @Test
    void anUnreachableSourceIsABadGatewayBeforeAnyEvent() {
        Samples.client(port).get().uri("/sse/feed").accept(MediaType.TEXT_EVENT_STREAM, MediaType.APPLICATION_JSON)
                .exchange()
                .expectStatus().isEqualTo(HttpStatus.BAD_GATEWAY);
    }
}
