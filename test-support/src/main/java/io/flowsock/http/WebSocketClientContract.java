package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TestCertificates;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The WebSocket client of {@link HttpClient#websocket()} for one backend, against flowsock's own
 * server on the same backend. Where the bytes on the wire are the point, {@link WebSocketClientWireContract}.
 */
public abstract class WebSocketClientContract extends HttpClientFixture {

    private DisposableServer echo(WebSocketSpec spec) {
        return bind((req, res) -> res.sendWebSocket(spec, ws -> ws.send(ws.receive())));
    }

    private HttpClientWebSocket ws(DisposableServer s, String path) {
        return client(s).websocket().uri(path);
    }

    @Test
    void textBinaryAndALargeMessageAreEchoedAndTheCloseIsClean() {
        Sinks.One<WebSocketClose> serverSaw = Sinks.one();
        DisposableServer s = bind((req, res) -> res.sendWebSocket(WebSocketSpec.defaults().maxMessageSize(1 << 20),
                ws -> {
                    // the function is cancelled when the TCP connection closes: onClose is watched beside it
                    ws.onClose().subscribe(serverSaw::tryEmitValue);
                    return ws.send(ws.receive());
                }));
        byte[] small = new byte[1000];
        new Random(1).nextBytes(small);
        byte[] large = new byte[300_000];   // many reads on both sides, and a 64-bit length field
        new Random(2).nextBytes(large);
        List<Object> got = new ArrayList<>();
        Sinks.One<WebSocketClose> clientSaw = Sinks.one();
        ws(s, "/echo").spec(WebSocketSpec.defaults().maxMessageSize(1 << 20)).handle(ws -> {
            ws.onClose().subscribe(clientSaw::tryEmitValue);
            return ws.send(Flux.just(WebSocketMessage.text("Hello, ünïcødé ✓"),
                            WebSocketMessage.binary(ByteBuffer.wrap(small)), WebSocketMessage.binary(ByteBuffer.wrap(large))))
                    .thenMany(ws.receive().take(3))
                    .doOnNext(m -> got.add(m.type() == WebSocketMessage.Type.TEXT ? m.text() : bytes(m.payload())))
                    .then();
        }).block(VERIFY);
        assertThat(got).hasSize(3);
        assertThat(got.get(0)).isEqualTo("Hello, ünïcødé ✓");
        assertThat((byte[]) got.get(1)).isEqualTo(small);
        assertThat((byte[]) got.get(2)).isEqualTo(large);
        // the function's end closed with 1000; the server echoed it; each side saw the other's
        assertThat(clientSaw.asMono().block(VERIFY).code()).isEqualTo(1000);
        assertThat(serverSaw.asMono().block(VERIFY).code()).isEqualTo(1000);
    }

    @Test
    void aMessageSentWithoutReadingIsEchoedAndTheSendMonoCompletes() {
        DisposableServer s = echo(WebSocketSpec.defaults());
        String echoed = ws(s, "/").handle(ws -> ws.sendText(Flux.range(0, 100).map(i -> "m" + i))
                        .thenMany(ws.receive().take(100).map(WebSocketMessage::text))
                        .collectList()
                        .doOnNext(l -> assertThat(l).hasSize(100))
                        .map(l -> l.get(99))
                        .then())
                .then(Mono.just("done")).block(VERIFY);
        assertThat(echoed).isEqualTo("done");
    }

    @Test
    void theServersCloseEndsReceiveAndIsEchoed() {
        Sinks.One<WebSocketClose> serverSaw = Sinks.one();
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> {
            ws.onClose().subscribe(serverSaw::tryEmitValue);
            return ws.sendText(Mono.just("one and only")).then(ws.close(4000, "bye"));
        }));
        List<String> got = new ArrayList<>();
        Sinks.One<WebSocketClose> clientSaw = Sinks.one();
        ws(s, "/").handle(ws -> {
            ws.onClose().subscribe(clientSaw::tryEmitValue);
            return ws.receive().map(WebSocketMessage::text).doOnNext(got::add).then();   // completes at the close
        }).block(VERIFY);
        assertThat(got).containsExactly("one and only");
        assertThat(clientSaw.asMono().block(VERIFY)).isEqualTo(new WebSocketClose(4000, "bye"));
        assertThat(serverSaw.asMono().block(VERIFY)).isEqualTo(new WebSocketClose(4000, "bye"));
    }

    @Test
    void aSubprotocolOfferedIsAgreedAndTheHandshakeFieldsAreTheServers() {
        DisposableServer s = bind((req, res) -> {
            res.header("X-Server", "flowsock");
            return res.sendWebSocket(WebSocketSpec.defaults().subprotocol("chat"), ws -> ws.send(ws.receive()));
        });
        List<String> seen = new ArrayList<>();
        ws(s, "/").subprotocols(List.of("superchat", "chat")).handle(ws -> {
            seen.add(ws.subprotocol());
            seen.add(ws.handshakeHeaders().get("X-Server").orElse("none"));
            return Mono.empty();
        }).block(VERIFY);
        assertThat(seen).containsExactly("chat", "flowsock");
    }

    @Test
    void aRefusedHandshakeFailsWithTheStatus() {
        DisposableServer s = bind((req, res) -> res.status(404).sendString("no WebSocket here"));
        assertThatThrownBy(() -> ws(s, "/nothing").handle(ws -> Mono.never()).block(VERIFY))
                .isInstanceOfSatisfying(HttpClientException.class,
                        e -> assertThat(e.kind()).isEqualTo(HttpClientException.Kind.WEBSOCKET_HANDSHAKE))
                .hasMessageContaining("404");
    }

    @Test
    void readsOnlyAgainstDemand() throws Exception {
        int total = 5_000;
        AtomicInteger handed = new AtomicInteger();
        byte[] tenKiB = new byte[10 * 1024];
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> ws.sendBinary(
                Flux.range(0, total).map(i -> ByteBuffer.wrap(tenKiB)).doOnNext(b -> handed.incrementAndGet()))));
        AtomicInteger received = new AtomicInteger();
        CompletableFuture<Subscription> subscription = new CompletableFuture<>();
        Sinks.Empty<Void> all = Sinks.empty();
        Disposable d = ws(s, "/").handle(ws -> {
            ws.receive().subscribe(new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription sub) {
                    sub.request(1);
                    subscription.complete(sub);
                }

                @Override
                protected void hookOnNext(WebSocketMessage m) {
                    if (received.incrementAndGet() == total) {
                        all.tryEmitEmpty();
                    }
                }
            });
            return all.asMono();
        }).subscribe();
        try {
            Subscription sub = subscription.get(10, TimeUnit.SECONDS);
            await(() -> received.get() == 1, "the first message");
            Thread.sleep(1000);
            int stalled = handed.get();
            // 50 MiB offered; what the socket buffers and one message limit of read-ahead hold is far less
            assertThat(stalled).isLessThan(total / 2);
            assertThat(received.get()).isEqualTo(1);
            sub.request(Long.MAX_VALUE);
            all.asMono().block(VERIFY);
            assertThat(received.get()).isEqualTo(total);
        } finally {
            d.dispose();
        }
    }

    @Test
    void pongsGoBetweenLargeFramesNeverInsideOne() {
        // the server's frames over 16 KiB are a header and the payload as two buffers: a pong that
        // answers a ping must not be written between them
        int messages = 3000;
        byte[] big = new byte[20_000];
        new Random(9).nextBytes(big);
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> ws.send(ws.receive()
                        .filter(m -> m.type() == WebSocketMessage.Type.TEXT).take(1)
                        .thenMany(Flux.range(0, messages).map(i -> WebSocketMessage.binary(ByteBuffer.wrap(big)))))));
        AtomicInteger whole = new AtomicInteger();
        AtomicInteger pongs = new AtomicInteger();
        Sinks.Empty<Void> done = Sinks.empty();
        ws(s, "/").handle(ws -> Mono.when(
                ws.sendText(Mono.just("go")).then(ws.send(Flux.interval(Duration.ofMillis(1)).onBackpressureDrop()
                        .map(i -> WebSocketMessage.ping(ByteBuffer.wrap(new byte[] {(byte) (long) i})))
                        .takeUntilOther(done.asMono()))),
                ws.receive().doOnNext(m -> {
                    if (m.type() == WebSocketMessage.Type.PONG) {
                        pongs.incrementAndGet();
                    } else {
                        // compared without printing 20,000 bytes: a frame split by a pong shows as a mismatch or a 1002
                        assertThat(java.util.Arrays.equals(bytes(m.payload()), big))
                                .as("message %d arrived as it was sent", whole.get()).isTrue();
                        whole.incrementAndGet();
                    }
                }).takeUntil(m -> whole.get() == messages).then().doFinally(f -> done.tryEmitEmpty()))).block(VERIFY);
        assertThat(whole.get()).isEqualTo(messages);
        assertThat(pongs.get()).isPositive();
    }

    @Test
    void cancellingTheHandleMonoClosesTheWebSocketWith1001() {
        Sinks.One<WebSocketClose> serverSaw = Sinks.one();
        Sinks.One<Boolean> open = Sinks.one();
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> {
            ws.onClose().subscribe(serverSaw::tryEmitValue);
            return ws.send(ws.receive());
        }));
        Disposable d = ws(s, "/").handle(ws -> {
            open.tryEmitValue(true);   // the 101 is checked: a cancel now closes the WebSocket, not the handshake
            return Mono.never();
        }).subscribe();
        open.asMono().block(VERIFY);
        d.dispose();
        assertThat(serverSaw.asMono().block(VERIFY).code()).isEqualTo(1001);
    }

    @Test
    void disposingTheClientClosesItsWebSocketsWith1001() {
        Sinks.One<WebSocketClose> serverSaw = Sinks.one();
        Sinks.One<Boolean> open = Sinks.one();
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> {
            ws.onClose().subscribe(serverSaw::tryEmitValue);
            return ws.send(ws.receive());
        }));
        HttpClient c = client(s);
        Mono<Void> session = c.websocket().uri("/").handle(ws -> {
            open.tryEmitValue(true);
            return Mono.never();
        });
        CompletableFuture<Void> ended = session.toFuture();
        open.asMono().block(VERIFY);
        c.dispose();
        assertThat(serverSaw.asMono().block(VERIFY)).isEqualTo(new WebSocketClose(1001, "the client is disposed"));
        ended.orTimeout(20, TimeUnit.SECONDS).join();   // the handle Mono ends with the TCP connection
        assertThatThrownBy(() -> c.websocket().uri("/").handle(ws -> Mono.empty()).block(VERIFY))
                .isInstanceOfSatisfying(HttpClientException.class,
                        e -> assertThat(e.kind()).isEqualTo(HttpClientException.Kind.CLIENT_DISPOSED));
    }

    @Test
    void aWebSocketOverTlsEchoes() {
        TestCertificates ca = TestCertificates.newCa("flowsock WebSocket client CA");
        DisposableServer s = bind(server().secure(io.flowsock.core.Tls.server(ca.context(ca.leaf("localhost"))))
                .handle((req, res) -> res.sendWebSocket(ws -> ws.send(ws.receive()))));
        HttpClient c = track(client("https://127.0.0.1:" + s.port())
                .secure(io.flowsock.core.Tls.client(ca.trusting()).withServerName("localhost")));
        byte[] data = new byte[60_000];
        new Random(5).nextBytes(data);
        byte[] back = c.websocket().uri("wss://127.0.0.1:" + s.port() + "/ws")
                .handle(ws -> ws.sendBinary(Mono.just(ByteBuffer.wrap(data)))
                        .then(ws.receive().next().map(m -> bytes(m.payload())))
                        .doOnNext(b -> received = b)
                        .then())
                .then(Mono.fromSupplier(() -> received)).block(VERIFY);
        assertThat(back).isEqualTo(data);
    }

    private volatile byte[] received;

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
