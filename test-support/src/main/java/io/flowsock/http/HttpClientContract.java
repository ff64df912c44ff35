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
 * HttpClient's contract for one backend against flowsock's own HttpServer (plain and https):
 * framing both ways, keep-alive reuse (proven by the server's accept count), the pool's limits
 * and timeouts, redirects, backpressure on the response body. {@link HttpClientPeersContract}
 * holds the cases against peers that send exact bytes or that nobody here wrote.
 */
public abstract class HttpClientContract extends HttpClientFixture {
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
}
