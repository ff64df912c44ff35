package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static io.flowsock.reactive.Loopback.rawClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.IdleTimeoutException;
import io.flowsock.core.Transport;
import io.flowsock.core.VirtualTimer;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The watchdogs, on a transport whose clock the test drives: no sleeping for minutes. */
class WatchdogTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final VirtualTimer timer = new VirtualTimer();
    private final java.util.Queue<Connection> accepted = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private Transport transport;
    private DisposableServer server;

    @BeforeEach
    void start() {
        transport = Loopback.virtualTimeTransport(timer);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow(WAIT);
        }
        transport.close();
    }

    private DisposableServer echo(TcpServer s) {
        server = s.host("127.0.0.1").port(0).transport(transport).doOnConnection(accepted::add)
                .handle(conn -> conn.send(conn.inbound())).bindNow(WAIT);
        return server;
    }

    private Connection nextAccepted() {
        await(() -> !accepted.isEmpty(), WAIT, "a connection accepted");
        return accepted.poll();
    }

    @Test
    void aPeerThatConnectsAndSendsNothingIsClosedAndCounted() throws Exception {
        DisposableServer s = echo(TcpServer.create().firstByteTimeout(Duration.ofSeconds(30)));
        try (Socket silent = rawClient(s.port())) {
            Connection conn = nextAccepted();
            timer.advance(Duration.ofSeconds(29));
            Thread.sleep(100);
            assertThat(conn.isDisposed()).as("still open before the timeout").isFalse();

            timer.advance(Duration.ofSeconds(2));
            await(conn::isDisposed, WAIT, "closed by the first-byte watchdog");
            assertThat(s.watchdogClosed()).isEqualTo(1);
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aPeerThatSpeaksInTimeIsLeftAlone() throws Exception {
        DisposableServer s = echo(TcpServer.create().firstByteTimeout(Duration.ofSeconds(30)));
        try (Socket peer = rawClient(s.port())) {
            Connection conn = nextAccepted();
            peer.getOutputStream().write('x');
            assertThat(peer.getInputStream().read()).isEqualTo('x');
            timer.advance(Duration.ofMinutes(5));
            Thread.sleep(100);
            assertThat(conn.isDisposed()).isFalse();
            assertThat(s.watchdogClosed()).isZero();
        }
    }

    @Test
    void theFirstByteWatchdogErrorsInboundNamingTheTimeout() throws Exception {
        server = TcpServer.create().host("127.0.0.1").port(0).transport(transport)
                .firstByteTimeout(Duration.ofSeconds(1)).doOnConnection(accepted::add).bindNow(WAIT);
        try (Socket ignored = rawClient(server.port())) {
            Connection conn = nextAccepted();
            CompletableFuture<Throwable> error = new CompletableFuture<>();
            conn.inbound().subscribe(b -> { }, error::complete);
            timer.advance(Duration.ofSeconds(2));
            Throwable e = error.get(10, TimeUnit.SECONDS);
            assertThat(e).isInstanceOf(IdleTimeoutException.class).hasMessageContaining("firstByteTimeout");
            assertThat(((IdleTimeoutException) e).timeout()).isEqualTo("firstByteTimeout");
        }
    }

    @Test
    void readIdleTimeoutClosesAPeerThatGoesQuietWhileWeWaitToRead() throws Exception {
        DisposableServer s = echo(TcpServer.create().firstByteTimeout(Duration.ZERO)
                .readIdleTimeout(Duration.ofSeconds(5)));
        try (Socket peer = rawClient(s.port())) {
            Connection conn = nextAccepted();
            peer.getOutputStream().write('a');
            assertThat(peer.getInputStream().read()).isEqualTo('a');
            timer.advance(Duration.ofSeconds(4));
            peer.getOutputStream().write('b');          // activity restarts the idle clock
            assertThat(peer.getInputStream().read()).isEqualTo('b');
            // Step the clock a second at a time, letting each check run on the port before the next
            // step, and note the second at which the connection closed.
            int closedAfter = 0;
            for (int second = 1; second <= 10 && !conn.isDisposed(); second++) {
                timer.advance(Duration.ofSeconds(1));
                Thread.sleep(50);
                closedAfter = second;
            }
            await(conn::isDisposed, WAIT, "closed by the read-idle timeout");
            assertThat(closedAfter).as("seconds after the last byte when the read-idle timeout fired").isBetween(5, 6);
        }
    }

    @Test
    void aSubscriberThatGivesNoDemandIsNotAnIdlePeer() throws Exception {
        server = TcpServer.create().host("127.0.0.1").port(0).transport(transport)
                .firstByteTimeout(Duration.ZERO).readIdleTimeout(Duration.ofSeconds(5))
                .doOnConnection(accepted::add).bindNow(WAIT);
        try (Socket ignored = rawClient(server.port())) {
            Connection conn = nextAccepted();
            conn.inbound().subscribe(new reactor.core.publisher.BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                    // no demand: the application is busy, not the peer idle
                }
            });
            timer.advance(Duration.ofMinutes(1));
            Thread.sleep(100);
            assertThat(conn.isDisposed()).isFalse();
        }
    }
}
