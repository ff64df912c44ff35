package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * flowsock's WebSocket client against a server nobody here wrote: Reactor Netty's (Netty's
 * RFC 6455 codec), on its own event loops. Text and binary echoed, a message across many reads,
 * the subprotocol Netty picks, and Netty's close with a status and reason.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketClientPeersTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static DisposableServer netty;
    private static HttpClient client;

    @BeforeAll
    static void start() {
        netty = reactor.netty.http.server.HttpServer.create().host("127.0.0.1").port(0)
                .route(r -> r
                        .ws("/text", (in, out) -> out.sendString(in.receive().asString().map(s -> "netty: " + s)))
                        .ws("/binary", (in, out) -> out.send(in.receive().retain()))
                        .ws("/proto", (in, out) -> out.sendString(Mono.just("protocol " + in.selectedSubprotocol())),
                                WebsocketServerSpec.builder().protocols("chat").build())
                        .ws("/close", (in, out) -> out.sendString(Mono.just("closing"))
                                .then(out.sendClose(4001, "netty says bye")))
                        .ws("/deflate", (in, out) -> out.sendString(in.receive().asString()),
                                WebsocketServerSpec.builder().compress(true).build()))
                .bindNow(WAIT);
        client = HttpClient.create().baseUrl("http://127.0.0.1:" + netty.port());
    }

    @AfterAll
    static void stop() {
        client.dispose();
        netty.disposeNow(WAIT);
    }

    @Test
    void textIsEchoedByNettyAndTheClientsCloseIsAnswered() {
        List<String> got = new ArrayList<>();
        List<WebSocketClose> closes = new ArrayList<>();
        client.websocket().uri("ws://127.0.0.1:" + netty.port() + "/text").handle(ws -> {
            ws.onClose().subscribe(closes::add);
            return ws.sendText(Flux.just("one", "ünïcødé ✓", "three"))
                    .thenMany(ws.receive().take(3).map(WebSocketMessage::text))
                    .doOnNext(got::add).then();
        }).block(WAIT);
        assertThat(got).containsExactly("netty: one", "netty: ünïcødé ✓", "netty: three");
        assertThat(closes).extracting(WebSocketClose::code).containsExactly(1000);
    }

    @Test
    void binaryMessagesAcrossManyReadsComeBackWhole() {
        byte[] data = new byte[60_000];   // under Netty's default 64 KiB frame limit
        new Random(3).nextBytes(data);
        List<byte[]> got = new ArrayList<>();
        client.websocket().uri("/binary").handle(ws -> ws.sendBinary(Flux.range(0, 20).map(i -> ByteBuffer.wrap(data)))
                .thenMany(ws.receive().take(20))
                .doOnNext(m -> {
                    byte[] b = new byte[m.payload().remaining()];
                    m.payload().get(b);
                    got.add(b);
                }).then()).block(WAIT);
        assertThat(got).hasSize(20).allSatisfy(b -> assertThat(b).isEqualTo(data));
    }

    @Test
    void nettyPicksTheOfferedSubprotocol() {
        List<String> got = new ArrayList<>();
        client.websocket().uri("/proto").subprotocols(List.of("superchat", "chat")).handle(ws -> {
            got.add(ws.subprotocol());
            return ws.receive().take(1).map(WebSocketMessage::text).doOnNext(got::add).then();
        }).block(WAIT);
        assertThat(got).containsExactly("chat", "protocol chat");
    }

    @Test
    void nettysCloseEndsReceiveWithItsStatus() {
        List<String> got = new ArrayList<>();
        WebSocketClose[] close = new WebSocketClose[1];
        client.websocket().uri("/close").handle(ws -> {
            ws.onClose().subscribe(c -> close[0] = c);
            return ws.receive().map(m -> new String(bytes(m.payload()), StandardCharsets.UTF_8)).doOnNext(got::add).then();
        }).block(WAIT);
        assertThat(got).containsExactly("closing");
        assertThat(close[0]).isEqualTo(new WebSocketClose(4001, "netty says bye"));
    }

    /** Text that repeats itself, as chat does: what the window kept between messages compresses. */
    private static List<String> chat(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add("message " + i + ": " + "all work and no play ".repeat(1 + i * 7 % 500));
        }
        return l;
    }

    @Test
    void nettyAgreesToPermessageDeflateAndEchoesCompressedText() {
        List<String> sent = chat(60);
        List<String> got = new ArrayList<>();
        List<String> agreed = new ArrayList<>();
        client.websocket().uri("/deflate").spec(WebSocketSpec.defaults().compress(true)).handle(ws -> {
            agreed.add(ws.handshakeHeaders().get("Sec-WebSocket-Extensions").orElse("(none)"));
            return ws.sendText(Flux.fromIterable(sent)).thenMany(ws.receive().take(sent.size()))
                    .map(WebSocketMessage::text).doOnNext(got::add).then();
        }).block(WAIT);
        assertThat(agreed).containsExactly("permessage-deflate");
        assertThat(got).isEqualTo(sent);
    }

    @Test
    void nettysClientWithCompressionIsEchoedByFlowsocksServer() {
        io.flowsock.reactive.DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> res.sendWebSocket(WebSocketSpec.defaults().compress(true), ws -> ws.send(ws.receive())))
                .bindNow(WAIT);
        try {
            List<String> sent = chat(60);
            List<String> agreed = new ArrayList<>();
            List<String> got = reactor.netty.http.client.HttpClient.create()
                    .websocket(reactor.netty.http.client.WebsocketClientSpec.builder().compress(true).build())
                    .uri("ws://127.0.0.1:" + server.port() + "/")
                    .handle((in, out) -> {
                        agreed.add(String.valueOf(in.headers().get("Sec-WebSocket-Extensions")));
                        return Flux.merge(out.sendString(Flux.fromIterable(sent)).then().then(Mono.<String>empty()),
                                in.receive().asString().take(sent.size()));
                    })
                    .collectList().block(WAIT);
            assertThat(agreed).containsExactly("permessage-deflate");
            assertThat(got).isEqualTo(sent);
        } finally {
            server.disposeNow(WAIT);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
