package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.DisposableServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * HttpClient's contract for one backend: against flowsock's own HttpServer (plain and https),
 * scripted servers that send exact bytes (chunked with trailers, close-delimited, interim 100,
 * silence, an idle close), and servers nobody here wrote ({@code python3 -m http.server},
 * {@code openssl s_server -WWW}; skipped where not installed). Keep-alive reuse is proven by the
 * server's accept count, and after every test each client's pools must hold no connection once
 * the client is disposed.
 */
public abstract class HttpClientContract extends HttpFixture {
    private static final Duration VERIFY = Duration.ofSeconds(20);

    private final List<HttpClient> clients = new ArrayList<>();
    private final List<ScriptedServer> scripted = new ArrayList<>();

    HttpClient client(String baseUrl) {
        HttpClient c = HttpClient.create().baseUrl(baseUrl).tcp(t -> t.transport(transport));
        clients.add(c);
        return c;
    }

    HttpClient client(DisposableServer s) {
        return client("http://127.0.0.1:" + s.port());
    }

    /** Pools derived from a tracked client by a call that changes how they connect are tracked too. */
    HttpClient track(HttpClient c) {
        clients.add(c);
        return c;
    }

    ScriptedServer scripted(ScriptedServer.Script script) throws IOException {
        ScriptedServer s = new ScriptedServer(script);
        scripted.add(s);
        return s;
    }

    @AfterEach
    void noConnectionOutlivesItsExchange() throws IOException {
        try {
            for (HttpClient c : clients) {
                c.dispose();
                await(() -> c.poolStats().open() == 0, "every connection of " + c + " closed: " + c.poolStats());
            }
        } finally {
            for (ScriptedServer s : scripted) {
                s.close();
            }
        }
    }

    static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within 10 s: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---- against flowsock's HttpServer ----

    @Test
    void aGetReadsTheBodyAndRequestAfterRequestReusesOneConnection() {
        DisposableServer s = bind(HttpFixture::hello);
        HttpClient c = client(s);
        for (int i = 0; i < 10; i++) {
            StepVerifier.create(c.get().uri("/hello").responseString()).expectNext("Hello, World!").expectComplete()
                    .verify(VERIFY);
        }
        assertThat(s.accepted()).isEqualTo(1);
        assertThat(c.poolStats().idle()).isEqualTo(1);
    }

    @Test
    void theResponseHasStatusHeadersAndADemandDrivenBody() {
        DisposableServer s = bind((req, res) -> res.status(201).header("X-Kind", "made").sendString("body"));
        HttpClient c = client(s);
        StepVerifier.create(c.get().uri("/x").responseSingle((r, body) -> body.map(b -> r.status() + " "
                        + r.headers().get("X-Kind").orElse("?") + " " + r.contentLength().orElse(-1) + " " + text(b))))
                .expectNext("201 made 4 body").expectComplete().verify(VERIFY);
    }

    @Test
    void aMonoBodyGoesWithContentLengthAndAnyOtherPublisherChunked() {
        DisposableServer s = bind((req, res) -> req.receiveString().flatMap(body -> res.sendString(
                req.header("Content-Length").orElse("-") + " " + req.header("Transfer-Encoding").orElse("-") + " "
                        + body)));
        HttpClient c = client(s);
        StepVerifier.create(c.post().uri("/echo").send(Mono.just(ByteBuffer.wrap("whole".getBytes(StandardCharsets.UTF_8))))
                        .responseString())
                .expectNext("5 - whole").expectComplete().verify(VERIFY);
        Flux<ByteBuffer> parts = Flux.just("str", "eam", "ed").map(p -> ByteBuffer.wrap(p.getBytes(StandardCharsets.UTF_8)));
        StepVerifier.create(c.post().uri("/echo").send(parts).responseString())
                .expectNext("- chunked streamed").expectComplete().verify(VERIFY);
        StepVerifier.create(c.post().uri("/echo").header("Content-Length", 3).send(Flux.just(
                        ByteBuffer.wrap(new byte[] {'a'}), ByteBuffer.wrap(new byte[] {'b', 'c'}))).responseString())
                .expectNext("3 - abc").expectComplete().verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void defaultHeadersComeFirstARequestOverridesThemAndItsConnectionCloseIsHonoured() {
        DisposableServer s = bind((req, res) -> res.sendString(req.header("X-Default").orElse("-") + " "
                + req.header("X-Own").orElse("-") + " " + req.header("Host").orElse("-") + " "
                + req.header("User-Agent").orElse("-")));
        HttpClient c = client(s).headers(h -> h.set("X-Default", "d").set("X-Own", "default"));
        StepVerifier.create(c.get().uri("/").header("X-Own", "mine").responseString())
                .expectNext("d mine 127.0.0.1:" + s.port() + " flowsock").expectComplete().verify(VERIFY);
        assertThat(c.poolStats().idle()).isEqualTo(1);
        StepVerifier.create(c.get().uri("/").header("Connection", "close").responseString())
                .expectNext("d default 127.0.0.1:" + s.port() + " flowsock").expectComplete().verify(VERIFY);
        await(() -> c.poolStats().open() == 0, "the connection the request asked to close closed");
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void aLargeStreamedBodyEchoesByteForByte() {
        DisposableServer s = bind((req, res) -> res.send(req.receive()));
        byte[] data = new byte[4 << 20];
        new Random(3).nextBytes(data);
        Flux<ByteBuffer> body = Flux.range(0, 64).map(i -> ByteBuffer.wrap(data, i * (64 << 10), 64 << 10));
        StepVerifier.create(Bodies.aggregate(client(s).post().uri("/echo").send(body).responseContent()))
                .assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(VERIFY);
    }

    @Test
    void headGetsTheHeadOnlyAndTheConnectionGoesOn() {
        DisposableServer s = bind(HttpFixture::hello);
        HttpClient c = client(s);
        StepVerifier.create(c.head().uri("/hello").responseSingle((r, b) -> b.map(bytes -> r.contentLength().orElse(-1)
                        + "/" + bytes.length)))
                .expectNext("13/0").expectComplete().verify(VERIFY);
        StepVerifier.create(c.get().uri("/hello").responseString()).expectNext("Hello, World!").expectComplete()
                .verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void connectionCloseFromTheServerIsHonoured() {
        DisposableServer s = bind((req, res) -> res.keepAlive(false).sendString("once"));
        HttpClient c = client(s);
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(c.get().uri("/").responseString()).expectNext("once").expectComplete().verify(VERIFY);
            await(() -> c.poolStats().open() == 0, "the closed connection left the pool");
        }
        assertThat(s.accepted()).isEqualTo(3);
    }

    @Test
    void aBodyLeftUnreadClosesItsConnectionRatherThanReturnIt() {
        DisposableServer s = bind((req, res) -> res.send(Flux.range(0, 64).map(i -> ByteBuffer.allocate(16 << 10))));
        HttpClient c = client(s);
        StepVerifier.create(c.get().uri("/").response().doOnNext(HttpClientResponse::discard).map(HttpClientResponse::status))
                .expectNext(200).expectComplete().verify(VERIFY);
        await(() -> c.poolStats().open() == 0, "the unread connection closed");
        StepVerifier.create(c.get().uri("/").responseContent().take(1).count()).expectNext(1L).expectComplete()
                .verify(VERIFY);
        await(() -> c.poolStats().open() == 0, "the cancelled connection closed");
        assertThat(s.accepted()).isEqualTo(2);
    }

    @Test
    void theResponseBodyIsReadOnlyOnDemandSoASlowReaderHoldsTheServersWrites() throws InterruptedException {
        AtomicLong produced = new AtomicLong();
        int total = 1024;   // 64 MiB in 64 KiB buffers
        DisposableServer s = bind((req, res) -> res.header("Content-Length", (long) total << 16)
                .send(Flux.range(0, total).map(i -> ByteBuffer.allocate(1 << 16)).doOnNext(b -> produced.incrementAndGet())));
        HttpClient c = client(s);
        AtomicLong received = new AtomicLong();
        StepVerifier.create(c.get().uri("/big").responseContent().doOnNext(b -> received.addAndGet(b.remaining())), 0)
                .thenRequest(1)
                .then(() -> await(() -> received.get() > 0, "a first buffer"))
                .then(() -> {
                    try {
                        Thread.sleep(500);   // time enough for an unbounded reader to take far more
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    // socket buffers hold a few MiB; the rest waits in the server until the reader asks
                    assertThat(produced.get()).isLessThan(total / 2);
                    assertThat(received.get()).isLessThanOrEqualTo(1 << 16);
                })
                .thenRequest(Long.MAX_VALUE)
                .thenConsumeWhile(b -> true)
                .expectComplete().verify(Duration.ofSeconds(40));
        assertThat(received.get()).isEqualTo((long) total << 16);
    }

    @Test
    void theMaxConnectionsAreNeverExceededAndWaitersGetReleasedOnes() {
        DisposableServer s = bind((req, res) -> Mono.delay(Duration.ofMillis(50)).then(res.sendString("ok")));
        HttpClient c = track(client(s).maxConnections(2));
        StepVerifier.create(Flux.range(0, 8).flatMap(i -> c.get().uri("/").responseString()).count())
                .expectNext(8L).expectComplete().verify(VERIFY);
        assertThat(s.accepted()).isLessThanOrEqualTo(2);
    }

    @Test
    void anAcquirePastThePendingLimitFailsWithATypedException() {
        Sinks.Empty<Void> gate = Sinks.empty();
        DisposableServer s = bind((req, res) -> gate.asMono().then(res.sendString("late")));
        HttpClient c = track(client(s).maxConnections(1).pendingAcquireMax(1));
        Mono<String> first = c.get().uri("/1").responseString().cache();
        Mono<String> second = c.get().uri("/2").responseString().cache();
        first.subscribe(v -> { }, e -> { });
        await(() -> c.poolStats().open() == 1, "the first request holds the connection");
        second.subscribe(v -> { }, e -> { });
        await(() -> c.poolStats().pending() == 1, "the second waits");
        StepVerifier.create(c.get().uri("/3").responseString())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(HttpClientException.class);
                    assertThat(((HttpClientException) e).kind()).isEqualTo(HttpClientException.Kind.PENDING_ACQUIRE_LIMIT);
                    assertThat(e.getMessage()).contains("127.0.0.1:" + s.port());
                }).verify(VERIFY);
        gate.tryEmitEmpty();
        StepVerifier.create(Flux.concat(first, second)).expectNext("late", "late").expectComplete().verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void aRequestThatWaitsPastThePendingAcquireTimeoutFailsWithATypedException() {
        Sinks.Empty<Void> gate = Sinks.empty();
        DisposableServer s = bind((req, res) -> gate.asMono().then(res.sendString("late")));
        HttpClient c = track(client(s).maxConnections(1).pendingAcquireTimeout(Duration.ofMillis(200)));
        Mono<String> first = c.get().uri("/1").responseString().cache();
        first.subscribe(v -> { }, e -> { });
        await(() -> c.poolStats().open() == 1, "the first request holds the connection");
        StepVerifier.create(c.get().uri("/2").responseString())
                .expectErrorSatisfies(e -> {
                    assertThat(((HttpClientException) e).kind()).isEqualTo(HttpClientException.Kind.PENDING_ACQUIRE_TIMEOUT);
                    assertThat(e.getMessage()).contains("200 ms");
                }).verify(VERIFY);
        assertThat(c.poolStats().pending()).isZero();
        gate.tryEmitEmpty();
        StepVerifier.create(first).expectNext("late").expectComplete().verify(VERIFY);
    }

    @Test
    void manyConcurrentRequestsShareAFewConnectionsAndAllSucceed() {
        DisposableServer s = bind((req, res) -> res.sendString(req.path()));
        HttpClient c = track(client(s).maxConnections(4).pendingAcquireMax(1000));
        StepVerifier.create(Flux.range(0, 400).flatMap(i -> c.get().uri("/" + i).responseString()
                        .filter(body -> body.equals("/" + i)), 64).count())
                .expectNext(400L).expectComplete().verify(Duration.ofSeconds(40));
        assertThat(s.accepted()).isLessThanOrEqualTo(4);
    }

    @Test
    void aDisposedClientRefusesRequestsWithATypedException() {
        DisposableServer s = bind(HttpFixture::hello);
        HttpClient c = client(s);
        StepVerifier.create(c.get().uri("/hello").responseString()).expectNext("Hello, World!").expectComplete()
                .verify(VERIFY);
        c.dispose();
        assertThat(c.isDisposed()).isTrue();
        StepVerifier.create(c.get().uri("/hello").responseString())
                .expectErrorSatisfies(e -> assertThat(((HttpClientException) e).kind())
                        .isEqualTo(HttpClientException.Kind.CLIENT_DISPOSED))
                .verify(VERIFY);
        await(() -> c.poolStats().open() == 0, "the idle connection closed by dispose");
    }

    @Test
    void redirectsAreFollowedWhenAskedAndOnlyThen() {
        DisposableServer s = bind((req, res) -> req.path().equals("/old")
                ? res.status(302).header("Location", "/hello").sendString("moved")
                : hello(req, res));
        HttpClient c = client(s);
        StepVerifier.create(c.get().uri("/old").responseSingle((r, b) -> Mono.just(r.status())))
                .expectNext(302).expectComplete().verify(VERIFY);
        StepVerifier.create(track(c.followRedirects(true)).get().uri("/old").responseString())
                .expectNext("Hello, World!").expectComplete().verify(VERIFY);
    }

    @Test
    void theBuilderNeverChangesTheClientItIsCalledOn() {
        HttpClient base = HttpClient.create();
        HttpClient derived = base.baseUrl("http://127.0.0.1:1").followRedirects(true);
        assertThat(base.baseUrl()).isEmpty();
        assertThat(derived.baseUrl()).contains("http://127.0.0.1:1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> base.get().uri("/relative"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> base.maxConnections(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections must be >= 1, was 0");
    }

    @Test
    void anIdleConnectionClosesAtTheIdleTimeoutAndTheNextRequestOpensAnother() {
        DisposableServer s = bind(HttpFixture::hello);
        HttpClient c = track(client(s).idleTimeout(Duration.ofMillis(200)));
        StepVerifier.create(c.get().uri("/hello").responseString()).expectNext("Hello, World!").expectComplete()
                .verify(VERIFY);
        await(() -> c.poolStats().open() == 0, "the idle connection closed at its timeout");
        StepVerifier.create(c.get().uri("/hello").responseString()).expectNext("Hello, World!").expectComplete()
                .verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(2);
    }

    @Test
    void aConnectionPastItsMaxLifetimeIsClosedRatherThanReused() throws InterruptedException {
        DisposableServer s = bind(HttpFixture::hello);
        HttpClient c = track(client(s).maxLifetime(Duration.ofMillis(100)));
        StepVerifier.create(c.get().uri("/hello").responseString()).expectNext("Hello, World!").expectComplete()
                .verify(VERIFY);
        Thread.sleep(150);
        StepVerifier.create(c.get().uri("/hello").responseString()).expectNext("Hello, World!").expectComplete()
                .verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(2);
    }

    @Test
    void httpsChecksTheCertificatesHostNameAndReusesTheSecuredConnection() {
        io.flowsock.reactive.TestCertificates ca = io.flowsock.reactive.TestCertificates.newCa("flowsock client CA");
        io.flowsock.reactive.TestCertificates.Identity id = ca.leaf("localhost", Duration.ofDays(1), "localhost");
        DisposableServer s = bind(server().secure(io.flowsock.core.Tls.server(ca.context(id))).handle(HttpFixture::hello));
        io.flowsock.core.Tls trusting = io.flowsock.core.Tls.client(ca.trusting());
        HttpClient c = track(client("https://127.0.0.1:" + s.port()).secure(trusting.withServerName("localhost")));
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(c.get().uri("/hello").responseString()).expectNext("Hello, World!").expectComplete()
                    .verify(VERIFY);
        }
        assertThat(s.accepted()).isEqualTo(1);
        HttpClient wrong = track(client("https://127.0.0.1:" + s.port()).secure(trusting.withServerName("other.example")));
        StepVerifier.create(wrong.get().uri("/hello").responseString())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(io.flowsock.core.TlsException.class)
                        .extracting(x -> ((io.flowsock.core.TlsException) x).kind())
                        .isEqualTo(io.flowsock.core.TlsException.Kind.HOSTNAME_MISMATCH))
                .verify(VERIFY);
    }

    // ---- against scripted servers: exact bytes ----

    @Test
    void aChunkedResponseWithExtensionsAndTrailersArrivesDechunked() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            InputStream in = sock.getInputStream();
            while (!ScriptedServer.readHead(in).isEmpty()) {
                ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Checksum: abc\r\nX-More: 1\r\n\r\n");
            }
        });
        HttpClient c = client(s.url());
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(c.get().uri("/").responseString()).expectNext("hello, world").expectComplete()
                    .verify(VERIFY);
        }
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void aCloseDelimitedBodyIsReadToTheEndAndItsConnectionIsNotReused() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            ScriptedServer.readHead(sock.getInputStream());
            ScriptedServer.write(sock, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end " + n);
            sock.shutdownOutput();
        });
        HttpClient c = client(s.url());
        for (int i = 1; i <= 2; i++) {
            StepVerifier.create(c.get().uri("/").responseString()).expectNext("until the end " + i).expectComplete()
                    .verify(VERIFY);
        }
        assertThat(s.accepted()).isEqualTo(2);
    }

    @Test
    void aPooledConnectionTheServerClosesIsNeverHandedOutAgain() throws IOException {
        CountDownLatch closed = new CountDownLatch(1);
        ScriptedServer s = scripted((sock, n) -> {
            ScriptedServer.readHead(sock.getInputStream());
            ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + n);
            if (n == 1) {
                sock.close();   // idle close, as a server's keep-alive timeout does
                closed.countDown();
            } else {
                ScriptedServer.readHead(sock.getInputStream());
            }
        });
        HttpClient c = client(s.url());
        StepVerifier.create(c.get().uri("/").responseString()).expectNext("1").expectComplete().verify(VERIFY);
        await(() -> closed.getCount() == 0 && c.poolStats().open() == 0, "the closed idle connection evicted");
        StepVerifier.create(c.get().uri("/").responseString()).expectNext("2").expectComplete().verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(2);
    }

    @Test
    void aRequestOnAKeptAliveConnectionTheServerClosesUnansweredIsSentOnceMoreOnANewOne() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            InputStream in = sock.getInputStream();
            ScriptedServer.readHead(in);
            ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + n);
            if (n == 1) {
                ScriptedServer.readHead(in);   // the second request: closed unanswered, as a keep-alive race does
            } else {
                ScriptedServer.readHead(in);
            }
        });
        HttpClient c = client(s.url());
        StepVerifier.create(c.get().uri("/").responseString()).expectNext("1").expectComplete().verify(VERIFY);
        StepVerifier.create(c.get().uri("/").responseString()).expectNext("2").expectComplete().verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(2);
    }

    @Test
    void aServerThatNeverAnswersFailsTheRequestAtTheResponseTimeout() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            ScriptedServer.readHead(sock.getInputStream());
            sock.getInputStream().read();   // and say nothing until the client gives up
        });
        HttpClient c = track(client(s.url()).responseTimeout(Duration.ofMillis(300)));
        StepVerifier.create(c.get().uri("/silent").responseString())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(HttpClientException.class);
                    assertThat(((HttpClientException) e).kind()).isEqualTo(HttpClientException.Kind.RESPONSE_TIMEOUT);
                    assertThat(e.getMessage()).contains("/silent").contains("300 ms");
                }).verify(VERIFY);
        await(() -> c.poolStats().open() == 0, "the silent connection closed");
    }

    @Test
    void anInterim100ContinueIsSkippedAndTheFinalResponseRead() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            InputStream in = sock.getInputStream();
            String head = ScriptedServer.readHead(in);
            ScriptedServer.write(sock, "HTTP/1.1 100 Continue\r\n\r\n");
            byte[] body = in.readNBytes(4);
            ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nContent-Length: " + (body.length + 1) + "\r\n\r\n"
                    + new String(body, StandardCharsets.ISO_8859_1) + (head.contains("Expect: 100-continue") ? "!" : "?"));
            ScriptedServer.readHead(in);
        });
        HttpClient c = client(s.url());
        StepVerifier.create(c.post().uri("/").header("Expect", "100-continue").sendString("data").responseString())
                .expectNext("data!").expectComplete().verify(VERIFY);
    }

    @Test
    void aBodyCutShortFailsWithHttpBodyException() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            ScriptedServer.readHead(sock.getInputStream());
            ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
            sock.shutdownOutput();
        });
        StepVerifier.create(client(s.url()).get().uri("/").responseString())
                .expectError(HttpBodyException.class).verify(VERIFY);
    }

    @Test
    void noContentResponsesFreeTheConnectionAtOnce() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            InputStream in = sock.getInputStream();
            ScriptedServer.readHead(in);
            ScriptedServer.write(sock, "HTTP/1.1 204 No Content\r\n\r\n");
            ScriptedServer.readHead(in);
            ScriptedServer.write(sock, "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n");
            ScriptedServer.readHead(in);
            ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            ScriptedServer.readHead(in);
        });
        HttpClient c = client(s.url());
        StepVerifier.create(c.get().uri("/").response().map(HttpClientResponse::status)).expectNext(204)
                .expectComplete().verify(VERIFY);
        StepVerifier.create(c.get().uri("/").response().map(HttpClientResponse::status)).expectNext(304)
                .expectComplete().verify(VERIFY);
        StepVerifier.create(c.get().uri("/").responseString()).expectNext("ok").expectComplete().verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(1);
    }

    // ---- against a server nobody here wrote ----

    @Test
    void pythonsHttpServerServesAFileAndA404(@TempDir Path dir) throws Exception {
        byte[] data = new byte[300_000];
        new Random(5).nextBytes(data);
        Files.write(dir.resolve("data.bin"), data);
        int port = freePort();
        Process python = external(dir, port, "python3", "-m", "http.server", "--bind", "127.0.0.1", String.valueOf(port));
        try {
            HttpClient c = client("http://127.0.0.1:" + port);
            StepVerifier.create(Bodies.aggregate(c.get().uri("/data.bin").responseContent()))
                    .assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(VERIFY);
            StepVerifier.create(c.get().uri("/missing").responseSingle((r, b) -> Mono.just(r.status())))
                    .expectNext(404).expectComplete().verify(VERIFY);
        } finally {
            python.destroy();
            python.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void opensslsWwwServerAnswersOverTlsWithACloseDelimitedBody(@TempDir Path dir) throws Exception {
        io.flowsock.reactive.TestCertificates ca = io.flowsock.reactive.TestCertificates.newCa("flowsock openssl CA");
        io.flowsock.reactive.TestCertificates.Identity id = ca.leaf("localhost", Duration.ofDays(1), "localhost");
        Path chain = io.flowsock.reactive.TestCertificates.writeChainPem(id, dir.resolve("chain.pem"));
        Path key = io.flowsock.reactive.TestCertificates.writeKeyPem(id, dir.resolve("key.pem"));
        Files.writeString(dir.resolve("page.txt"), "served by openssl\n");
        int port = freePort();
        Process openssl = external(dir, port, "openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert",
                chain.toString(), "-key", key.toString(), "-WWW", "-quiet");
        try {
            HttpClient c = track(client("https://127.0.0.1:" + port)
                    .secure(io.flowsock.core.Tls.client(ca.trusting()).withServerName("localhost")));
            StepVerifier.create(c.get().uri("/page.txt").responseString()).expectNext("served by openssl\n")
                    .expectComplete().verify(VERIFY);
        } finally {
            openssl.destroy();
            openssl.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** Starts a server program in {@code dir}, skipping the test where it is not installed, and waits until it listens. */
    private static Process external(Path dir, int port, String... command) {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            Assumptions.abort(command[0] + " is not installed: " + e.getMessage());
            throw new AssertionError(e);
        }
        await(() -> {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, String.join(" ", command) + " listening on " + port);
        return p;
    }
}
