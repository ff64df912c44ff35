package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static io.flowsock.reactive.Loopback.rawClient;
import static io.flowsock.reactive.Loopback.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Transport;
import io.flowsock.core.VirtualTimer;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Slowloris: many peers that connect and send nothing, or a byte now and then, while one honest
 * client keeps talking. The watchdogs close and count every attacker and the honest client is
 * served throughout. Time is a virtual clock: minutes pass in milliseconds.
 */
class SlowlorisTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int SILENT = 100;
    private static final int TRICKLING = 50;
    private final VirtualTimer timer = new VirtualTimer();
    private final List<Socket> attackers = new ArrayList<>();
    private Transport transport;
    private DisposableServer server;
    private Connection honest;

    @BeforeEach
    void start() {
        transport = Loopback.virtualTimeTransport(timer);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : attackers) {
            s.close();
        }
        if (honest != null) {
            honest.dispose();
        }
        if (server != null) {
            server.disposeNow(WAIT);
        }
        transport.close();
    }

    @Test
    void silentAndTricklingPeersAreClosedAndCountedWhileAnHonestClientIsServed() throws Exception {
        server = TcpServer.create().host("127.0.0.1").port(0).transport(transport)
                .firstByteTimeout(Duration.ofSeconds(10))
                .readIdleTimeout(Duration.ofSeconds(30))
                .handle(conn -> conn.send(conn.inbound()))
                .bindNow(WAIT);
        for (int i = 0; i < SILENT; i++) {
            attackers.add(rawClient(server.port()));
        }
        List<Socket> trickling = new ArrayList<>();
        for (int i = 0; i < TRICKLING; i++) {
            Socket s = rawClient(server.port());
            s.getOutputStream().write('x');                 // past the first-byte watchdog...
            assertThat(s.getInputStream().read()).isEqualTo('x');
            trickling.add(s);
        }
        attackers.addAll(trickling);
        honest = TcpClient.create().host("127.0.0.1").port(server.port()).transport(transport).connectNow();
        Sinks.Many<ByteBuffer> requests = Sinks.many().unicast().onBackpressureBuffer();
        honest.send(requests.asFlux()).subscribe();
        var replies = honest.inbound().map(b -> StandardCharsets.UTF_8.decode(b).toString());
        await(() -> server.connections() == SILENT + TRICKLING + 1, WAIT, "every peer accepted");

        StepVerifier.create(replies, 0)
                .then(() -> exchange(requests, "t=0"))
                .thenRequest(1).expectNext("t=0")
                .then(() -> advance(Duration.ofSeconds(11)))  // the silent ones are past firstByteTimeout
                .then(() -> await(() -> server.watchdogClosed() == SILENT, WAIT, "every silent peer closed"))
                .then(() -> exchange(requests, "t=11"))
                .thenRequest(1).expectNext("t=11")
                .then(() -> advance(Duration.ofSeconds(10)))
                .then(() -> exchange(requests, "t=21"))
                .thenRequest(1).expectNext("t=21")
                .then(() -> advance(Duration.ofSeconds(10)))  // a byte a minute is 31 s idle now
                .then(() -> await(() -> server.watchdogClosed() == SILENT + TRICKLING, WAIT,
                        "every trickling peer closed"))
                .then(() -> exchange(requests, "t=31"))
                .thenRequest(1).expectNext("t=31")
                .thenCancel()
                .verify(WAIT);

        assertThat(server.connections()).as("only the honest client is left").isEqualTo(1);
        for (Socket s : attackers) {
            assertThat(s.getInputStream().read()).as("each attacker sees the server's end").isEqualTo(-1);
        }
    }

    private static void exchange(Sinks.Many<ByteBuffer> requests, String text) {
        requests.tryEmitNext(utf8(text)).orThrow();
    }

    /** Moves the virtual clock and lets the port run the watchdogs that came due. */
    private void advance(Duration d) {
        timer.advance(d);
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
