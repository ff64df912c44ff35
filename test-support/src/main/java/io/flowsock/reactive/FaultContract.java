package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static io.flowsock.reactive.Loopback.randomBytes;
import static io.flowsock.reactive.Loopback.rawClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.ConnectRefusedException;
import io.flowsock.core.ConnectionClosedException;
import io.flowsock.core.ConnectionResetException;
import io.flowsock.core.IdleTimeoutException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

/**
 * What a user sees when things go wrong, over real loopback sockets, for one backend: resets in
 * the middle of a transfer, early and mutual half-closes, disposal mid-receive, an outbound
 * publisher that fails, a server disposed under load, a cancelled inbound, sends racing closes,
 * half-open peers. Every test also runs under the leak guard, so a socket or thread left behind
 * fails it; each checks the server's open-connection count itself as well.
 */
public abstract class FaultContract extends LoopbackFixture {

    /** A peer that keeps writing until the connection breaks, then reports what broke it. */
    static CompletableFuture<IOException> writeUntilBroken(Socket peer) {
        return CompletableFuture.supplyAsync(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                OutputStream out = peer.getOutputStream();
                long deadline = System.nanoTime() + VERIFY.toNanos();
                while (System.nanoTime() < deadline) {
                    out.write(chunk);
                }
                return null;
            } catch (IOException broken) {
                return broken;
            }
        });
    }

    /** Everything a raw peer reads until EOF or a reset, which a closed connection may send instead. */
    static byte[] readUntilEnd(Socket peer) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = peer.getInputStream();
        byte[] buf = new byte[64 * 1024];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
            }
        } catch (IOException reset) {
            // a connection closed with unread data resets: what arrived before it still counts
        }
        return got.toByteArray();
    }

    // ------------------------------------------------------------------ resets

    @Test
    public void aPeerResetInTheMiddleOfBothTransfersErrorsInboundAndThePendingSendAlike() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            AtomicLong received = new AtomicLong();
            CompletableFuture<Throwable> inbound = new CompletableFuture<>();
            conn.inbound().subscribe(b -> received.addAndGet(b.remaining()), inbound::complete,
                    () -> inbound.complete(null));
            CompletableFuture<IOException> writing = writeUntilBroken(peer);
            CompletableFuture<Void> send = sendThePeerNeverReads(conn);
            await(() -> received.get() >= 1 << 20, VERIFY, "a mebibyte received mid-transfer");

            peer.setSoLinger(true, 0);
            peer.close();

            Throwable in = inbound.get(20, TimeUnit.SECONDS);
            assertThat(in).isInstanceOf(ConnectionResetException.class)
                    .hasMessageContaining(conn.remoteAddress().toString());
            assertThatThrownBy(() -> send.get(20, TimeUnit.SECONDS)).cause().isSameAs(in);
            StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
            await(() -> server.connections() == 0, VERIFY, "the reset connection released");
            assertThat(writing.get(20, TimeUnit.SECONDS)).as("the peer's own writes end with its close").isNotNull();
        }
    }

    // ------------------------------------------------------------------ half-close

    @Test
    public void aPeerThatHalfClosesRightAfterItsLastWriteGetsEveryByteEchoedEvenFromASlowServer() throws Exception {
        DisposableServer server = bind(server().sendCap(1).recvBurst(1)
                .handle(conn -> conn.send(conn.inbound().delayElements(Duration.ofMillis(1)))));
        byte[] data = randomBytes(4 << 20, 11);
        try (Socket peer = rawClient(server.port())) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    peer.getOutputStream().write(data);
                    peer.shutdownOutput();                  // FIN at once: the tail is still on its way
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            peer.setSoTimeout(30_000);
            assertThat(peer.getInputStream().readAllBytes()).as("echo, then the server's FIN").isEqualTo(data);
            writer.get(10, TimeUnit.SECONDS);
        }
        await(() -> server.connections() == 0, VERIFY, "the echo connection closed after its FINs");
    }

    @Test
    public void bothSidesHalfClosingAtOnceDeliverEverythingAndTheConnectionClosesItself() {
        DisposableServer server = bind(server());
        Connection client = client(server).connectNow();
        Connection serverSide = nextAccepted();
        byte[] up = randomBytes(1 << 20, 12);
        byte[] down = randomBytes(1 << 20, 13);

        Mono<byte[]> clientGot = collect(client.inbound());
        Mono<byte[]> serverGot = collect(serverSide.inbound());
        client.send(chunks(up, 64 * 1024)).then(client.shutdownOutput()).subscribe();
        serverSide.send(chunks(down, 64 * 1024)).then(serverSide.shutdownOutput()).subscribe();

        StepVerifier.create(clientGot).assertNext(b -> assertThat(b).isEqualTo(down)).expectComplete().verify(VERIFY);
        StepVerifier.create(serverGot).assertNext(b -> assertThat(b).isEqualTo(up)).expectComplete().verify(VERIFY);
        StepVerifier.create(client.onClose()).expectComplete().verify(VERIFY);
        StepVerifier.create(serverSide.onClose()).expectComplete().verify(VERIFY);
        await(() -> server.connections() == 0, VERIFY, "no connection left open");
    }

    // ------------------------------------------------------------------ dispose and cancel mid-transfer

    @Test
    public void aClientDisposingMidReceiveCompletesItsInboundAndTheServersSendFails() throws Exception {
        CompletableFuture<Throwable> serverSend = new CompletableFuture<>();
        DisposableServer server = bind(server().handle(conn -> conn
                .send(Flux.range(0, 4096).map(i -> ByteBuffer.allocate(64 * 1024)))   // 256 MiB
                .doOnError(serverSend::complete).doOnSuccess(v -> serverSend.complete(null))));
        Connection client = client(server).connectNow();
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> inbound = client.inbound().doOnNext(b -> {
            if (received.addAndGet(b.remaining()) >= 1 << 20) {
                client.dispose();
            }
        }).then().toFuture();

        inbound.get(20, TimeUnit.SECONDS);                   // the user chose to close: completes
        assertThat(received.get()).isBetween(1L << 20, 255L << 20);
        assertThat(serverSend.get(20, TimeUnit.SECONDS)).as("the server's send to a disposed peer")
                .isInstanceOfAny(ConnectionResetException.class, ConnectionClosedException.class);
        StepVerifier.create(client.onClose()).expectComplete().verify(VERIFY);
        await(() -> server.connections() == 0, VERIFY, "the server side closed too");
    }

    @Test
    public void anOutboundPublisherErrorMidSendFailsTheSendAndInboundAndClosesAbortively() throws Exception {
        byte[] data = randomBytes(1 << 20, 14);
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Throwable> sendError = new CompletableFuture<>();
        CompletableFuture<Throwable> inboundError = new CompletableFuture<>();
        DisposableServer server = bind(server().handle(conn -> {
            conn.inbound().subscribe(b -> { }, inboundError::complete, () -> inboundError.complete(null));
            return conn.send(Flux.concat(chunks(data, 64 * 1024), Flux.error(boom))).doOnError(sendError::complete);
        }));
        byte[] got;
        try (Socket peer = rawClient(server.port())) {
            got = readUntilEnd(peer);
        } catch (java.net.SocketException resetWhileConnecting) {
            // io_uring's armed accept lets the whole exchange, reset included, finish before the
            // client's connect() returns: the abortive close seen early, with nothing delivered
            got = new byte[0];
        }
        assertThat(got.length).isLessThanOrEqualTo(data.length);
        assertThat(got).as("what arrived is a prefix of what was sent").isEqualTo(Arrays.copyOf(data, got.length));
        assertThat(sendError.get(20, TimeUnit.SECONDS)).isSameAs(boom);
        assertThat(inboundError.get(20, TimeUnit.SECONDS)).isNotNull();
        await(() -> server.connections() == 0, VERIFY, "the failed connection closed");
    }

    @Test
    public void anErrorThrownOutOfAPortThreadCallbackClosesThatConnectionAndThePortServesOn() throws Exception {
        // Reactor passes a JVM-fatal error (here a simulated OutOfMemoryError) straight up the stack,
        // out of onNext and into the completion that delivered the bytes: the port thread must
        // survive it, close that connection abortively and go on serving the next ones
        java.util.concurrent.atomic.AtomicBoolean thrown = new java.util.concurrent.atomic.AtomicBoolean();
        DisposableServer server = bind(server().handle(conn -> conn.send(conn.inbound().doOnNext(b -> {
            if (thrown.compareAndSet(false, true)) {
                throw new OutOfMemoryError("simulated, from a handler on the port thread");
            }
        }))));
        try (Socket peer = rawClient(server.port())) {
            peer.getOutputStream().write("boom".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(readUntilEnd(peer)).as("nothing echoed from the failed connection").isEmpty();
        }
        assertThat(thrown).isTrue();
        await(() -> server.connections() == 0, VERIFY, "the failed connection closed");
        for (int i = 0; i < 4; i++) {      // every port (connections take them in turn) still echoes
            echoOnce(client(server).connectNow(Duration.ofSeconds(10)));
        }
    }

    @Test
    public void aHandlerEndingAfterItCancelledInboundClosesTheConnectionWhileThePeerStreams() throws Exception {
        // the cancel only stops reading; the handler's end closes gracefully, and the drain of a peer
        // that never stops gives up at the close timeout with a reset
        DisposableServer server = bind(server().closeTimeout(Duration.ofMillis(500))
                .handle(conn -> conn.inbound().take(10).then()));
        try (Socket peer = rawClient(server.port())) {
            CompletableFuture<IOException> writing = writeUntilBroken(peer);
            assertThat(writing.get(20, TimeUnit.SECONDS)).as("the streaming peer is cut off").isNotNull();
        }
        await(() -> server.connections() == 0, VERIFY, "the cancelled connection closed");
    }

    @Test
    public void serverDisposeNowUnderLoadClosesTheListenerFirstThenEveryConnectionByTheDeadline() throws Exception {
        DisposableServer server = bind(server().closeTimeout(Duration.ofSeconds(30))
                .handle(conn -> conn.send(conn.inbound())));            // echo to clients that never read
        List<Connection> clients = new ArrayList<>();
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Connection c = client(server).connectNow();
            clients.add(c);
            sends.add(c.send(Flux.<ByteBuffer>generate(sink -> sink.next(ByteBuffer.allocate(64 * 1024)))).toFuture());
        }
        await(() -> server.connections() == 4, VERIFY, "four busy connections");
        Thread.sleep(200);                                     // every pipe full, both ways

        long start = System.nanoTime();
        server.disposeNow(Duration.ofMillis(500));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));
        assertThat(server.connections()).isZero();
        assertThatThrownBy(() -> client(server).connectNow(Duration.ofSeconds(5)))
                .isInstanceOf(ConnectRefusedException.class);
        for (int i = 0; i < clients.size(); i++) {
            CompletableFuture<Void> send = sends.get(i);
            assertThatThrownBy(() -> send.get(20, TimeUnit.SECONDS)).as("an endless send to a closed server")
                    .hasCauseInstanceOf(ConnectionResetException.class);
            StepVerifier.create(clients.get(i).onClose()).expectComplete().verify(VERIFY);
        }
    }

    // ------------------------------------------------------------------ races

    @Test
    public void aSendRacingAGracefulCloseEitherArrivesWholeOrFailsWithoutWritingAByte() {
        DisposableServer server = bind(server().handle(conn -> collect(conn.inbound())
                .doOnNext(b -> receivedBy(conn).set(b)).then()));
        byte[] data = randomBytes(64 * 1024, 15);
        for (int round = 0; round < 100; round++) {
            Connection client = client(server).connectNow();
            Connection serverSide = nextAccepted();
            AtomicReference<Object> outcome = new AtomicReference<>();
            RaceTestUtils.race(
                    () -> client.send(Mono.just(ByteBuffer.wrap(data))).subscribe(v -> { }, outcome::set,
                            () -> outcome.set("sent")),
                    () -> client.close().subscribe());
            StepVerifier.create(client.onClose()).expectComplete().verify(VERIFY);
            StepVerifier.create(serverSide.onClose()).expectComplete().verify(VERIFY);
            await(() -> outcome.get() != null, VERIFY, "the racing send ended");
            byte[] got = receivedBy(serverSide).get();
            if ("sent".equals(outcome.get())) {
                assertThat(got).as("round " + round + ": a completed send arrived whole").isEqualTo(data);
            } else {
                assertThat(outcome.get()).as("round " + round).isInstanceOf(ConnectionClosedException.class);
                assertThat(got).as("round " + round + ": a refused send wrote nothing").isEmpty();
            }
        }
        await(() -> server.connections() == 0, VERIFY, "every raced connection closed");
    }

    @Test
    public void aSendRacingDisposeNeverHangsAndWhatArrivesIsAPrefix() {
        DisposableServer server = bind(server().handle(conn -> collect(conn.inbound()
                .onErrorResume(e -> Mono.empty())).doOnNext(b -> receivedBy(conn).set(b)).then()));
        byte[] data = randomBytes(256 * 1024, 16);
        for (int round = 0; round < 100; round++) {
            Connection client = client(server).connectNow();
            Connection serverSide = nextAccepted();
            AtomicReference<Object> outcome = new AtomicReference<>();
            RaceTestUtils.race(
                    () -> client.send(chunks(data, 16 * 1024)).subscribe(v -> { }, outcome::set,
                            () -> outcome.set("sent")),
                    client::dispose);
            StepVerifier.create(client.onClose()).expectComplete().verify(VERIFY);
            StepVerifier.create(serverSide.onClose()).expectComplete().verify(VERIFY);
            await(() -> outcome.get() != null, VERIFY, "the racing send ended");
            if (!"sent".equals(outcome.get())) {
                assertThat(outcome.get()).as("round " + round).isInstanceOf(ConnectionClosedException.class);
            }
            await(() -> receivedBy(serverSide).get() != null, VERIFY, "the server's count of what arrived");
            byte[] got = receivedBy(serverSide).get();       // up to a FIN, or to a reset
            assertThat(got).as("round " + round).isEqualTo(Arrays.copyOf(data, got.length));
        }
        await(() -> server.connections() == 0, VERIFY, "every raced connection closed");
    }

    private final java.util.Map<Connection, AtomicReference<byte[]>> received =
            new java.util.concurrent.ConcurrentHashMap<>();

    private AtomicReference<byte[]> receivedBy(Connection serverSide) {
        return received.computeIfAbsent(serverSide, c -> new AtomicReference<>());
    }

    // ------------------------------------------------------------------ half-open peers

    @Test
    public void aHalfOpenPeerIsClosedByTheReadIdleTimeoutAndCounted() throws Exception {
        DisposableServer server = bind(server().readIdleTimeout(Duration.ofMillis(300))
                .handle(conn -> conn.send(conn.inbound())));
        try (Socket peer = rawClient(server.port())) {
            peer.getOutputStream().write('x');
            assertThat(peer.getInputStream().read()).isEqualTo('x');
            long start = System.nanoTime();                  // then silence, and no FIN
            assertThat(peer.getInputStream().read()).as("the server's FIN").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
        await(() -> server.connections() == 0, VERIFY, "the idle connection closed");
        assertThat(server.watchdogClosed()).isEqualTo(1);
    }

    @Test
    public void aPeerThatStopsReadingIsClosedByTheWriteIdleTimeoutAndCounted() throws Exception {
        DisposableServer server = bind(server().writeIdleTimeout(Duration.ofMillis(300)));
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            CompletableFuture<Void> send = sendThePeerNeverReads(conn);
            assertThatThrownBy(() -> send.get(20, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(IdleTimeoutException.class).hasMessageContaining("writeIdleTimeout");
            StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
        }
        assertThat(server.watchdogClosed()).isEqualTo(1);
        assertThat(server.connections()).isZero();
    }
}
