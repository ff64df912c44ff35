package io.flowsock.samples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.peers.JdkWebSocketClient;
import io.flowsock.reactive.DisposableServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sample's three routes, through the JDK's own HTTP client. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpHelloServerTest {
    private DisposableServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        server = HttpHelloServer.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.disposeNow(Duration.ofSeconds(5));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void helloEchoAndStreamAnswerAsDocumented() throws Exception {
        HttpResponse<String> hello = client.send(HttpRequest.newBuilder(uri("/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("Hello, World!");
        assertThat(hello.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");

        String body = "x".repeat(100_000);
        HttpResponse<String> echo = client.send(HttpRequest.newBuilder(uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(echo.body()).isEqualTo(body);

        HttpResponse<String> stream = client.send(HttpRequest.newBuilder(uri("/stream?chunks=3")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stream.body()).isEqualTo("chunk 1\nchunk 2\nchunk 3\n");

        HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(uri("/hello"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("Allow")).contains("GET, HEAD");

        assertThat(server.accepted()).isEqualTo(1);   // the JDK client kept the connection for all four
    }

    @Test
    void theWebSocketEchoesWhatTheJdksClientSends() throws Exception {
        JdkWebSocketClient ws = JdkWebSocketClient.connect(server.port());
        ws.ws().sendText("over a WebSocket", true).get(5, TimeUnit.SECONDS);
        assertThat(ws.next()).isEqualTo("over a WebSocket");
        ws.ws().sendClose(1000, "").get(5, TimeUnit.SECONDS);
        assertThat(ws.closeCode()).isEqualTo(1000);
    }
}
