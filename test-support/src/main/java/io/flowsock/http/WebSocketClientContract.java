package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The WebSocket client of {@link HttpClient#websocket()} for one backend: against flowsock's own
 * server on the same backend, and, where the bytes on the wire are the point (masking, a masked
 * server frame, a bad 101, a server slow to close), against a scripted server on blocking sockets
 * that frames by hand.
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

    // ---- against a scripted server: the bytes themselves ----

    @Test
    void framesAreMaskedPingsAnsweredAndTheClientWaitsForTheServerToCloseTcp() throws Exception {
        BlockingQueue<String> server = new LinkedBlockingQueue<>();
        AtomicLong serverClosedAt = new AtomicLong();
        ScriptedServer s = scripted((socket, n) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            accept101(in, out, "");
            Frame f = readFrame(in);
            server.add("masked=" + f.masked + " " + f.opcode + ":" + new String(f.payload, StandardCharsets.UTF_8));
            out.write(frame(0x9, "are you there".getBytes(StandardCharsets.UTF_8)));   // a ping
            Frame pong = readFrame(in);
            server.add("masked=" + pong.masked + " " + pong.opcode + ":" + new String(pong.payload, StandardCharsets.UTF_8));
            out.write(frame(0x1, ("got " + new String(f.payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
            Frame close = readFrame(in);
            server.add("close " + close.opcode + ":" + ((close.payload[0] & 0xff) << 8 | close.payload[1] & 0xff));
            out.write(frame(0x8, new byte[] {0x03, (byte) 0xe8}));
            out.flush();
            Thread.sleep(500);   // the client must wait for this side to close the TCP connection
            serverClosedAt.set(System.nanoTime());
            socket.close();
        });
        HttpClient c = client(s.url());
        List<String> got = new ArrayList<>();
        c.websocket().uri("/").handle(ws -> ws.sendText(Mono.just("hello"))
                .thenMany(ws.receive().take(1).map(WebSocketMessage::text)).doOnNext(got::add).then()).block(VERIFY);
        long endedAt = System.nanoTime();
        assertThat(got).containsExactly("got hello");
        assertThat(server.poll(5, TimeUnit.SECONDS)).isEqualTo("masked=true 1:hello");
        assertThat(server.poll(5, TimeUnit.SECONDS)).isEqualTo("masked=true 10:are you there");
        assertThat(server.poll(5, TimeUnit.SECONDS)).isEqualTo("close 8:1000");
        assertThat(serverClosedAt.get()).isPositive();
        assertThat(endedAt).isGreaterThanOrEqualTo(serverClosedAt.get());
    }

    @Test
    void aServerThatNeverClosesTcpIsCutOffAfterTheCloseTimeout() throws Exception {
        ScriptedServer s = scripted((socket, n) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            accept101(in, out, "");
            readFrame(in);                                          // the client's close
            out.write(frame(0x8, new byte[] {0x03, (byte) 0xe8}));  // answered, then silence
            out.flush();
            Thread.sleep(30_000);
        });
        long t0 = System.nanoTime();
        client(s.url()).websocket().uri("/").spec(WebSocketSpec.defaults().closeTimeout(Duration.ofMillis(300)))
                .handle(ws -> Mono.empty()).block(VERIFY);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aMaskedServerFrameIsAProtocolError() throws Exception {
        BlockingQueue<Integer> closeCodes = new LinkedBlockingQueue<>();
        ScriptedServer s = scripted((socket, n) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            accept101(in, out, "");
            out.write(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2});   // masked, from a server
            out.flush();
            Frame close = readFrame(in);
            closeCodes.add((close.payload[0] & 0xff) << 8 | close.payload[1] & 0xff);
        });
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client(s.url()).websocket().uri("/")
                .handle(ws -> ws.receive().then()).block(VERIFY))
                .isInstanceOfSatisfying(WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1002))
                .hasMessageContaining("masked");
        assertThat(closeCodes.poll(5, TimeUnit.SECONDS)).isEqualTo(1002);
        // the scripted server closes once it has the close frame: the client reads that FIN, rather
        // than waiting out the TCP close timeout (10 s) with no read posted
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void framesThatCameWithThe101AreNotLost() throws Exception {
        ScriptedServer s = scripted((socket, n) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.write(answer(in, ""));
            both.write(frame(0x1, "first".getBytes(StandardCharsets.UTF_8)));
            both.write(frame(0x1, "second".getBytes(StandardCharsets.UTF_8)));
            out.write(both.toByteArray());   // one write: the head and two frames in one read
            out.flush();
            readFrame(in);
            out.write(frame(0x8, new byte[] {0x03, (byte) 0xe8}));
            out.flush();
        });
        List<String> got = client(s.url()).websocket().uri("/")
                .handle(ws -> ws.receive().take(2).map(WebSocketMessage::text).doOnNext(t -> seen.add(t)).then())
                .then(Mono.fromSupplier(() -> seen)).block(VERIFY);
        assertThat(got).containsExactly("first", "second");
    }

    private final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void a101ThatBreaksTheHandshakeFailsNamingWhat() throws Exception {
        String[][] cases = {
                {"Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n", "Sec-WebSocket-Accept"},
                {"Sec-WebSocket-Protocol: mqtt\r\n", "mqtt"},
                {"Sec-WebSocket-Extensions: permessage-deflate\r\n", "permessage-deflate"},
        };
        for (String[] c : cases) {
            ScriptedServer s = scripted((socket, n) -> {
                accept101(socket.getInputStream(), socket.getOutputStream(), c[0]);
                Thread.sleep(5_000);
            });
            assertThatThrownBy(() -> client(s.url()).websocket().uri("/").subprotocols(List.of("chat"))
                    .handle(ws -> Mono.never()).block(VERIFY))
                    .isInstanceOfSatisfying(HttpClientException.class,
                            e -> assertThat(e.kind()).isEqualTo(HttpClientException.Kind.WEBSOCKET_HANDSHAKE))
                    .hasMessageContaining(c[1]);
        }
    }

    // ---- the scripted server's framing, by hand ----

    private record Frame(int opcode, boolean masked, byte[] payload) { }

    /** Reads the handshake and answers 101 with the right accept, plus {@code extra} header lines. */
    private static void accept101(InputStream in, OutputStream out, String extra) throws Exception {
        out.write(answer(in, extra));
        out.flush();
    }

    private static byte[] answer(InputStream in, String extra) throws Exception {
        String head = ScriptedServer.readHead(in);
        if (head.isEmpty()) {
            throw new IOException("the client closed before its handshake was whole");
        }
        String key = null;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        if (extra.startsWith("Sec-WebSocket-Accept")) {
            accept = null;
        }
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + (accept == null ? "" : "Sec-WebSocket-Accept: " + accept + "\r\n") + extra + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** An unmasked frame with FIN set, as a server sends it (payloads under 126 bytes). */
    private static byte[] frame(int opcode, byte[] payload) {
        byte[] f = new byte[2 + payload.length];
        f[0] = (byte) (0x80 | opcode);
        f[1] = (byte) payload.length;
        System.arraycopy(payload, 0, f, 2, payload.length);
        return f;
    }

    /** One frame as the client sent it, unmasked here. */
    private static Frame readFrame(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        boolean masked = (b1 & 0x80) != 0;
        byte[] mask = new byte[4];
        if (masked) {
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame(b0 & 0x0f, masked, payload);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
