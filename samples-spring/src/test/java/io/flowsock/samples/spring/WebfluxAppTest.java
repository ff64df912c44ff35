package io.flowsock.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.spring.boot.FlowsockReactiveWebServerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.reactive.ReactiveWebServerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
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

    @TempDir
    static Path uploads;

    @DynamicPropertySource
    static void uploadDir(DynamicPropertyRegistry properties) {
        properties.add("sample.upload.dir", () -> uploads.toString());
    }

    @BeforeEach
    void client() {
        client = Samples.client(port);
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

    @Test
    void uploadStoresAWholeBodyByteForByteAndAnswersItsSizeAndSha256() throws Exception {
        byte[] bytes = new byte[5 * 1024 * 1024 + 3];
        new Random(5).nextBytes(bytes);
        Uploads.Upload upload = client.post().uri("/upload").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(bytes).exchange()
                .expectStatus().isOk()
                .expectBody(Uploads.Upload.class).returnResult().getResponseBody();
        assertStored(upload, bytes);
    }

    @Test
    void uploadStoresAChunkedStreamByteForByte() throws Exception {
        // 96 pieces of 32 KiB + 5, sent chunked as they are produced
        byte[] bytes = new byte[96 * (32 * 1024 + 5)];
        new Random(6).nextBytes(bytes);
        int piece = bytes.length / 96;
        Flux<DataBuffer> body = Flux.range(0, 96)
                .map(i -> DefaultDataBufferFactory.sharedInstance.wrap(Arrays.copyOfRange(bytes, i * piece, (i + 1) * piece)));
        Uploads.Upload upload = client.post().uri("/upload").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(body, DataBuffer.class).exchange()
                .expectStatus().isOk()
                .expectBody(Uploads.Upload.class).returnResult().getResponseBody();
        assertStored(upload, bytes);
    }

    private static void assertStored(Uploads.Upload upload, byte[] bytes) throws Exception {
        assertThat(upload).isNotNull();
        assertThat(upload.bytes()).isEqualTo(bytes.length);
        assertThat(upload.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        Path stored = uploads.resolve(upload.file());
        assertThat(Files.readAllBytes(stored)).isEqualTo(bytes);
        Files.delete(stored);
    }

    private Flux<ServerSentEvent<String>> ticks(String uri) {
        return client.get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .getResponseBody();
    }

    @Test
    void theWebSocketEchoesEachMessage() throws Exception {
        java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(java.net.URI.create("ws://127.0.0.1:" + port + "/ws/echo"), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                        got.add(data.toString());
                        w.request(1);
                        return null;
                    }

                    @Override
                    public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket w, int code, String reason) {
                        closed.complete(code);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: hello");
        ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }
}
