package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static io.flowsock.reactive.Loopback.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.ConnectionClosedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Close over real loopback sockets, for one backend: graceful close and its timeout, dispose, what a
 * handler's end does, and a server's disposeNow. Each backend subclasses it and supplies its transport, once over TCP and once over TLS ({@link LoopbackFixture#secured()}); a backend that cannot run here is skipped
 * with the reason in the subclass. Public, in flowsock-test-support, so a backend in another module
 * (io_uring) runs the same suite.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class CloseContract extends LoopbackFixture {
    // ------------------------------------------------------------------ close and dispose

    @Test
    public void gracefulCloseWritesPendingDataThenFinThenWaitsForThePeersFin() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = peer(server)) {
            Connection conn = nextAccepted();
            byte[] data = randomBytes(2 << 20, 5);
            conn.send(chunks(data, 64 * 1024)).subscribe();
            CompletableFuture<Void> closed = conn.close().toFuture();
            assertThat(peer.getInputStream().readAllBytes()).isEqualTo(data);
            Thread.sleep(100);
            assertThat(closed).as("close waits for the peer's FIN").isNotDone();
            peer.shutdownOutput();
            closed.get(10, TimeUnit.SECONDS);
            assertThat(conn.isDisposed()).isTrue();
        }
    }

    @Test
    public void gracefulCloseGivesUpAfterTheCloseTimeout() throws Exception {
        DisposableServer server = bind(server().closeTimeout(Duration.ofMillis(300)));
        try (Socket peer = peer(server)) {
            Connection conn = nextAccepted();
            long start = System.nanoTime();
            StepVerifier.create(conn.close()).expectComplete().verify(VERIFY);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            assertThat(peer.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    public void disposeClosesAtOnceFailingPendingSendsAndCompletingInbound() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = peer(server)) {
            Connection conn = nextAccepted();
            CompletableFuture<Void> inbound = conn.inbound().then().toFuture();
            CompletableFuture<Void> send = sendThePeerNeverReads(conn);
            conn.dispose();
            StepVerifier.create(Mono.fromFuture(send))
                    .expectError(ConnectionClosedException.class).verify(VERIFY);
            inbound.get(10, TimeUnit.SECONDS);
            StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
            assertThat(conn.isDisposed()).isTrue();
            peer.setSoTimeout(10_000);
            InputStream in = peer.getInputStream();
            try {
                while (in.read(new byte[65536]) >= 0) {
                    // what was in flight, then EOF or reset
                }
            } catch (IOException resetIsFine) {
                // the unread rest of a disposed connection may arrive as a reset
            }
        }
    }

    @Test
    public void handlerCompletionClosesGracefullyAndHandlerErrorClosesAtOnce() throws Exception {
        DisposableServer ok = bind(server().handle(conn -> conn.send(Mono.just(Loopback.utf8("bye")))));
        try (Socket peer = peer(ok)) {
            assertThat(peer.getInputStream().readAllBytes()).isEqualTo("bye".getBytes());
            Thread.sleep(200);
            assertThat(ok.connections()).as("a graceful close waits for the peer's FIN").isEqualTo(1);
        }
        await(() -> ok.connections() == 0, VERIFY, "closed after the peer's FIN");

        DisposableServer failing = bind(server().handle(conn -> Mono.error(new IllegalStateException("boom"))));
        Socket client;
        try {
            client = peer(failing);
        } catch (java.net.SocketException resetDuringConnect) {
            // accepted and reset before the peer's connect() returned (io_uring accepts that fast)
            await(() -> failing.connections() == 0, Duration.ofSeconds(2), "closed without the peer's FIN");
            return;
        }
        try (Socket peer = client) {
            try {
                assertThat(peer.getInputStream().read()).isEqualTo(-1);
            } catch (java.net.SocketException reset) {
                // a backend that can reset (SO_LINGER 0) does; NIO.2's asynchronous sockets cannot
            }
            // Abortive: the connection is gone without waiting for the peer, which has sent no FIN.
            await(() -> failing.connections() == 0, Duration.ofSeconds(2), "closed without the peer's FIN");
        }
    }

    @Test
    public void aHandlerThatTookOneBufferClosesTheConnectionOnceItsReplyIsWritten() throws Exception {
        DisposableServer server = bind(server().handle(conn ->
                conn.send(conn.inbound().take(1).map(b -> Loopback.utf8("got it")))));
        try (Socket peer = peer(server)) {
            peer.getOutputStream().write("hello".getBytes());
            byte[] reply = new byte[6];
            new java.io.DataInputStream(peer.getInputStream()).readFully(reply);
            assertThat(new String(reply)).isEqualTo("got it");
        }
        await(() -> server.connections() == 0, VERIFY, "connection closed once the handler ended");
    }

    @Test
    public void serverDisposeNowClosesConnectionsGracefullyThenAtTheDeadline() throws Exception {
        DisposableServer server = bind(server().closeTimeout(Duration.ofSeconds(30)));
        try (Socket polite = peer(server); Socket silent = peer(server)) {
            nextAccepted();
            nextAccepted();
            CompletableFuture<Void> politeDone = CompletableFuture.runAsync(() -> {
                try {
                    assertThat(polite.getInputStream().read()).isEqualTo(-1);
                    polite.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            long start = System.nanoTime();
            server.disposeNow(Duration.ofMillis(500));
            politeDone.get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(server.connections()).isZero();
            assertThat(server.isDisposed()).isTrue();
            StepVerifier.create(server.onDispose()).expectComplete().verify(VERIFY);
        }
    }
}
