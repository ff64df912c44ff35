package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.peers.JdkWebSocketClient;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The WebSocket server of {@link HttpServerResponse#sendWebSocket} for one backend, against the
 * JDK's own WebSocket client ({@code java.net.http}, written by nobody here) and, for frames that
 * client will not send (unmasked, reserved bits, bad UTF-8), a raw socket.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class WebSocketContract extends HttpFixture {

    private DisposableServer echo(WebSocketSpec spec) {
        return bind((req, res) -> res.sendWebSocket(spec, ws -> ws.send(ws.receive())));
    }

    @Test
    void textAndBinaryMessagesAreEchoedWhole() throws Exception {
        BlockingQueue<String> ends = new LinkedBlockingQueue<>();
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> ws.send(ws.receive())
                        .doOnSuccess(v -> ends.add("send completed")))
                .doOnSuccess(v -> ends.add("session completed")).doOnError(e -> ends.add("failed: " + e)));
        JdkWebSocketClient c = JdkWebSocketClient.connect(s.port());
        c.ws().sendText("Hello, World!", true).get(5, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("Hello, World!");
        byte[] data = new byte[1000];
        new Random(1).nextBytes(data);
        c.ws().sendBinary(ByteBuffer.wrap(data), true).get(5, TimeUnit.SECONDS);
        assertThat((byte[]) c.next()).isEqualTo(data);
        c.ws().sendText("ünïcødé ✓", true).get(5, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("ünïcødé ✓");
        c.ws().sendClose(1000, "done").get(5, TimeUnit.SECONDS);
        assertThat(c.closeCode()).isEqualTo(1000);
        // the peer's close ends receive, so the echo ends by itself; then the TCP connection is closed
        assertThat(ends.poll(10, TimeUnit.SECONDS)).isEqualTo("send completed");
        assertThat(ends.poll(10, TimeUnit.SECONDS)).isEqualTo("session completed");
    }

    @Test
    void anIdleWebSocketOutlivesTheKeepAliveIdleTimeout() throws Exception {
        // the idle timeout is HTTP's, for a connection between requests; a WebSocket is not one
        DisposableServer s = bind(server().idleTimeout(Duration.ofMillis(200))
                .handle((req, res) -> res.sendWebSocket(ws -> ws.send(ws.receive()))));
        JdkWebSocketClient c = JdkWebSocketClient.connect(s.port());
        Thread.sleep(1500);
        c.ws().sendText("after a while", true).get(5, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("after a while");
        c.ws().sendClose(1000, "").get(5, TimeUnit.SECONDS);
        assertThat(c.closeCode()).isEqualTo(1000);
    }

    @Test
    void aWebSocketOverTlsEchoes() throws Exception {
        TestCertificates ca = TestCertificates.newCa("flowsock WebSocket test CA");
        DisposableServer s = bind(server().secure(io.flowsock.core.Tls.server(ca.context(ca.leaf("localhost"))))
                .handle((req, res) -> res.sendWebSocket(ws -> ws.send(ws.receive()))));
        JdkWebSocketClient c = JdkWebSocketClient.connect(java.net.http.HttpClient.newBuilder().sslContext(ca.trusting()).build(),
                java.net.URI.create("wss://localhost:" + s.port() + "/ws"));
        byte[] data = new byte[60_000];   // several TLS records, under the 64 KiB message limit
        new Random(5).nextBytes(data);
        c.ws().sendBinary(ByteBuffer.wrap(data), true).get(5, TimeUnit.SECONDS);
        assertThat((byte[]) c.next()).isEqualTo(data);
        c.ws().sendClose(1000, "").get(5, TimeUnit.SECONDS);
        assertThat(c.closeCode()).isEqualTo(1000);
    }

    @Test
    void disposingTheServerClosesItsWebSocketsWith1001() throws Exception {
        DisposableServer s = echo(WebSocketSpec.defaults());
        JdkWebSocketClient c = JdkWebSocketClient.connect(s.port());
        c.ws().sendText("still here", true).get(5, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("still here");
        s.disposeNow(Duration.ofSeconds(10));
        assertThat(c.closeCode()).isEqualTo(1001);
    }

    @Test
    void aFragmentedMessageArrivesJoinedAndALargeOneCrossesManyReads() throws Exception {
        Sinks.One<String> first = Sinks.one();
        DisposableServer s = bind((req, res) -> res.sendWebSocket(WebSocketSpec.defaults().maxMessageSize(4 << 20),
                ws -> ws.send(ws.receive().doOnNext(m -> first.tryEmitValue(m.type() + ":" + m.payload().remaining())))));
        JdkWebSocketClient c = JdkWebSocketClient.connect(s.port());
        c.ws().sendText("part one, ", false).get(5, TimeUnit.SECONDS);
        c.ws().sendText("part two", true).get(5, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("part one, part two");
        assertThat(first.asMono().block(Duration.ofSeconds(5))).isEqualTo("TEXT:18");

        byte[] big = new byte[3 << 20];
        new Random(2).nextBytes(big);
        c.ws().sendBinary(ByteBuffer.wrap(big), true).get(10, TimeUnit.SECONDS);
        assertThat((byte[]) c.next()).isEqualTo(big);
        c.ws().sendClose(1000, "").get(5, TimeUnit.SECONDS);
        assertThat(c.closeCode()).isEqualTo(1000);
    }

    @Test
    void aPingIsAnsweredWithItsPongWhileTheServerStreams() throws Exception {
        // the server sends without end; the pong must go between its messages, not behind the stream
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> ws.sendText(
                Flux.interval(Duration.ofMillis(5)).map(i -> "tick " + i))));
        JdkWebSocketClient c = JdkWebSocketClient.connect(s.port());
        assertThat(c.next()).isEqualTo("tick 0");
        c.ws().sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
        Object m;
        int ticks = 0;
        do {
            m = c.next();
            ticks++;
        } while (m instanceof String t && t.startsWith("tick") && ticks < 1000);
        assertThat(m).isEqualTo("pong:are you there");
        c.ws().sendClose(1000, "").get(5, TimeUnit.SECONDS);
        assertThat(c.closeCode()).isEqualTo(1000);
    }

    @Test
    void theServerClosesWithItsStatusAndTheClientsEchoEndsTheSession() throws Exception {
        Sinks.One<WebSocketClose> status = Sinks.one();
        Sinks.One<Boolean> sessionEnded = Sinks.one();
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> {
            ws.onClose().subscribe(status::tryEmitValue);
            return ws.receive().next().flatMap(m -> ws.close(4000, "bye " + m.text()));
        }).doOnSuccess(v -> sessionEnded.tryEmitValue(true)));
        JdkWebSocketClient c = JdkWebSocketClient.connect(s.port());
        c.ws().sendText("now", true).get(5, TimeUnit.SECONDS);
        assertThat(c.closeCode()).isEqualTo(4000);
        assertThat(c.closeReason()).isEqualTo("bye now");
        assertThat(sessionEnded.asMono().block(Duration.ofSeconds(10))).isTrue();
        // the JDK client echoes the status of the close it received, without the reason
        assertThat(status.asMono().block(Duration.ofSeconds(10))).isEqualTo(new WebSocketClose(4000, ""));
    }

    @Test
    void theClientsCloseCompletesReceiveAndIsEchoed() throws Exception {
        Sinks.One<WebSocketClose> status = Sinks.one();
        Sinks.One<Long> received = Sinks.one();
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> {
            ws.onClose().subscribe(status::tryEmitValue);
            return ws.receive().count().doOnNext(received::tryEmitValue).then();
        }));
        JdkWebSocketClient c = JdkWebSocketClient.connect(s.port());
        c.ws().sendText("one", true).get(5, TimeUnit.SECONDS);
        c.ws().sendText("two", true).get(5, TimeUnit.SECONDS);
        c.ws().sendClose(1001, "leaving").get(5, TimeUnit.SECONDS);
        assertThat(received.asMono().block(Duration.ofSeconds(10))).isEqualTo(2);
        assertThat(c.closeCode()).isEqualTo(1001);
        assertThat(status.asMono().block(Duration.ofSeconds(10))).isEqualTo(new WebSocketClose(1001, "leaving"));
    }

    @Test
    void aMessageOverTheLimitClosesWith1009AndFailsReceive() throws Exception {
        Sinks.One<Throwable> failed = Sinks.one();
        DisposableServer s = bind((req, res) -> res.sendWebSocket(WebSocketSpec.defaults().maxMessageSize(1024),
                ws -> ws.send(ws.receive().doOnError(failed::tryEmitValue).onErrorResume(e -> Mono.empty()))));
        JdkWebSocketClient c = JdkWebSocketClient.connect(s.port());
        c.ws().sendText("x".repeat(1024), true).get(5, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("x".repeat(1024));   // at the limit: kept
        c.ws().sendText("y".repeat(600), false).get(5, TimeUnit.SECONDS);
        c.ws().sendText("y".repeat(600), true).get(5, TimeUnit.SECONDS);   // joined, over it
        assertThat(c.closeCode()).isEqualTo(1009);
        Throwable e = failed.asMono().block(Duration.ofSeconds(10));
        assertThat(e).isInstanceOf(WebSocketException.class).hasMessageContaining("1024");
        assertThat(((WebSocketException) e).closeCode()).isEqualTo(1009);
    }

    @Test
    void theSubprotocolIsAnsweredOnlyWhenTheClientOfferedIt() throws Exception {
        DisposableServer s = bind((req, res) -> res.sendWebSocket(WebSocketSpec.defaults().subprotocol("chat"),
                ws -> ws.sendText(Mono.just(String.valueOf(ws.subprotocol())))));
        JdkWebSocketClient offered = JdkWebSocketClient.connect(s.port(), "superchat", "chat");
        assertThat(offered.ws().getSubprotocol()).isEqualTo("chat");
        assertThat(offered.next()).isEqualTo("chat");
        JdkWebSocketClient not = JdkWebSocketClient.connect(s.port());
        assertThat(not.ws().getSubprotocol()).isEmpty();
        assertThat(not.next()).isEqualTo("null");
        assertThat(offered.closeCode()).isEqualTo(1000);   // the function ended: 1000
        assertThat(not.closeCode()).isEqualTo(1000);
    }

    @Test
    void receiveReadsOnlyAgainstDemand() throws Exception {
        Sinks.One<reactor.core.publisher.BaseSubscriber<WebSocketMessage>> held = Sinks.one();
        List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
        DisposableServer s = bind((req, res) -> res.sendWebSocket(WebSocketSpec.defaults().maxMessageSize(1 << 20),
                ws -> Mono.create(done -> {
                    reactor.core.publisher.BaseSubscriber<WebSocketMessage> sub = new reactor.core.publisher.BaseSubscriber<>() {
                        @Override
                        protected void hookOnSubscribe(org.reactivestreams.Subscription sn) {
                            sn.request(1);
                        }

                        @Override
                        protected void hookOnNext(WebSocketMessage m) {
                            sizes.add(m.payload().remaining());
                        }

                        @Override
                        protected void hookOnComplete() {
                            done.success();
                        }
                    };
                    ws.receive().subscribe(sub);
                    held.tryEmitValue(sub);
                })));
        JdkWebSocketClient c = JdkWebSocketClient.connect(s.port());
        byte[] chunk = new byte[256 * 1024];
        List<CompletableFuture<?>> sends = new ArrayList<>();
        CompletableFuture<?> last = CompletableFuture.completedFuture(null);
        for (int i = 0; i < 200; i++) {   // 50 MiB: far more than the socket buffers on both sides hold
            int n = i;
            last = last.thenCompose(x -> c.ws().sendBinary(ByteBuffer.wrap(chunk).putInt(0, n), true));
            sends.add(last);
        }
        Thread.sleep(1500);
        assertThat(sizes).as("one message asked, one given").hasSize(1);
        assertThat(last).as("the client is held back by TCP").isNotDone();
        held.asMono().block().request(Long.MAX_VALUE);
        last.get(30, TimeUnit.SECONDS);
        c.ws().sendClose(1000, "").get(5, TimeUnit.SECONDS);
        assertThat(c.closeCode()).isEqualTo(1000);
        assertThat(sizes).hasSize(200).allMatch(n -> n == chunk.length);
    }

    // ---- the handshake and frames the JDK client will not send ----

    private static String handshake(String extra) {
        return "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + extra + "\r\n";
    }

    @Test
    void aRequestThatIsNoHandshakeIsAnswered400Or426AndTheSendFails() throws Exception {
        BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> ws.send(ws.receive()))
                .doOnError(failures::add));
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send(handshake("Sec-WebSocket-Version: 13\r\n")).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("Sec-WebSocket-Key");
            assertThat(c.closedByServer(5000)).isTrue();
        }
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send(handshake("Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"))
                    .read();
            assertThat(r.status()).isEqualTo(426);
            assertThat(r.header("Sec-WebSocket-Version")).contains("13");
        }
        try (RawHttp c = new RawHttp(s.port())) {
            assertThat(c.send("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(400);
        }
        for (int i = 0; i < 3; i++) {
            Throwable e = failures.poll(5, TimeUnit.SECONDS);
            assertThat(e).isInstanceOf(WebSocketException.class);
            assertThat(((WebSocketException) e).closeCode()).isZero();
        }
    }

    /** A raw client after a handshake it checks by hand, RFC 6455's own example key. */
    private static final class RawWs implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;

        RawWs(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(handshake("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            in = new DataInputStream(socket.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101 ")
                    .containsIgnoringCase("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        }

        void send(int b0, boolean masked, byte[] payload) throws IOException {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write(b0);
            f.write((masked ? 0x80 : 0) | payload.length);   // short payloads only
            byte[] mask = {1, 2, 3, 4};
            if (masked) {
                f.writeBytes(mask);
            }
            for (int i = 0; i < payload.length; i++) {
                f.write(masked ? payload[i] ^ mask[i & 3] : payload[i]);
            }
            socket.getOutputStream().write(f.toByteArray());
        }

        /** The next frame from the server: its first byte and payload. */
        int[] closeFrame() throws IOException {
            int b0 = in.readUnsignedByte();
            int len = in.readUnsignedByte();
            assertThat(len & 0x80).as("server frames are unmasked").isZero();
            byte[] p = new byte[len];
            in.readFully(p);
            return new int[] {b0, p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : -1};
        }

        boolean closedByServer() throws IOException {
            try {
                return in.read() < 0;
            } catch (java.net.SocketException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void framesThatBreakTheRfcCloseWithTheirStatus() throws Exception {
        // a TCP close timeout far beyond the wait at the end: the server's graceful close must read
        // on to the client's FIN, though the failed WebSocket had stopped reading
        DisposableServer s = bind(server().tcp(t -> t.closeTimeout(Duration.ofSeconds(60)))
                .handle((req, res) -> res.sendWebSocket(ws -> ws.send(ws.receive()))));
        byte[] hi = "hi".getBytes(StandardCharsets.US_ASCII);
        Object[][] cases = {
            {"unmasked", 0x81, false, hi, 1002},
            {"reserved bit", 0xC1, true, hi, 1002},
            {"unknown opcode", 0x83, true, hi, 1002},
            {"continuation first", 0x80, true, hi, 1002},
            {"fragmented ping", 0x09, true, hi, 1002},
            {"invalid UTF-8", 0x81, true, new byte[] {(byte) 0xC3, (byte) 0x28}, 1007},
            {"close with 1005", 0x88, true, new byte[] {0x03, (byte) 0xED}, 1002},
            {"close of one byte", 0x88, true, new byte[] {0x03}, 1002},
        };
        for (Object[] k : cases) {
            try (RawWs c = new RawWs(s.port())) {
                c.send((int) k[1], (boolean) k[2], (byte[]) k[3]);
                int[] close = c.closeFrame();
                assertThat(close[0]).as((String) k[0]).isEqualTo(0x88);
                assertThat(close[1]).as((String) k[0]).isEqualTo((int) k[4]);
                assertThat(c.closedByServer()).as((String) k[0] + ": the TCP connection closes").isTrue();
            }
        }
        HttpClientFixture.await(() -> s.connections() == 0, "every failed WebSocket's connection closed on the server");
    }

    @Test
    void framesSplitAtEveryByteAreDecodedTheSame() throws Exception {
        DisposableServer s = echo(WebSocketSpec.defaults());
        try (RawWs c = new RawWs(s.port())) {
            byte[] text = "split across reads".getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            byte[] mask = {9, 8, 7, 6};
            frames.write(0x81);
            frames.write(0x80 | text.length);
            frames.writeBytes(mask);
            for (int i = 0; i < text.length; i++) {
                frames.write(text[i] ^ mask[i & 3]);
            }
            c.socket.setTcpNoDelay(true);
            for (byte b : frames.toByteArray()) {
                c.socket.getOutputStream().write(b);
                c.socket.getOutputStream().flush();
                Thread.sleep(2);
            }
            int b0 = c.in.readUnsignedByte();
            int len = c.in.readUnsignedByte();
            byte[] p = new byte[len];
            c.in.readFully(p);
            assertThat(b0).isEqualTo(0x81);
            assertThat(new String(p, StandardCharsets.UTF_8)).isEqualTo("split across reads");
        }
    }

    @Test
    void theAcceptValueIsRfc6455sExample() {
        assertThat(WebSocketFrames.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(WebSocketFrames.validKey("dGhlIHNhbXBsZSBub25jZQ==")).isTrue();
        assertThat(WebSocketFrames.validKey("dGhlIHNhbXBsZSBub25jZQ")).isFalse();
    }

    @Test
    void badArgumentsAreRefusedByName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebSocketSpec.defaults().maxMessageSize(0))
                .hasMessageContaining("maxMessageSize");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebSocketSpec.defaults().subprotocol("a b"))
                .hasMessageContaining("subprotocol");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebSocketMessage.ping(ByteBuffer.allocate(126)))
                .hasMessageContaining("125");
    }
}

