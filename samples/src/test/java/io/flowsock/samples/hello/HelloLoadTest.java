package io.flowsock.samples.hello;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpClient;
import io.flowsock.reactive.TcpServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class HelloLoadTest {
    private static final Duration VERIFY = Duration.ofSeconds(20);

    @Test
    void fourLoopsForOneSecondCompleteExchangesWithoutErrors() {
        DisposableServer server = HelloServer.start("127.0.0.1", 0);
        try {
            HelloLoad load = new HelloLoad(client(server), 4, Duration.ofSeconds(1));

            StepVerifier.create(load.run())
                    .assertNext(r -> {
                        assertThat(r.exchanges()).isPositive();
                        assertThat(r.connectErrors()).isZero();
                        assertThat(r.otherErrors()).isZero();
                        assertThat(r.elapsed()).isBetween(Duration.ofSeconds(1), HelloLoad.EXCHANGE_TIMEOUT.plusSeconds(1));
                    })
                    .expectComplete()
                    .verify(VERIFY);
            // Every exchange ended in a graceful close on both sides: nothing is left open.
            assertThat(server.accepted()).isEqualTo(load.progress().exchanges());
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void aWrongReplyCountsAsAnOtherError() {
        // A server that answers "hello BACK": same length, wrong bytes.
        DisposableServer server = TcpServer.create().host("127.0.0.1").port(0)
                .handle(conn -> conn.send(Mono.fromSupplier(() -> ascii("hello BACK")))
                        .then(conn.inbound().then()))
                .bindNow(Duration.ofSeconds(10));
        try {
            HelloLoad load = new HelloLoad(client(server), 1, Duration.ofMillis(200));

            StepVerifier.create(load.run())
                    .assertNext(r -> {
                        assertThat(r.exchanges()).isZero();
                        assertThat(r.otherErrors()).isPositive();
                        assertThat(r.connectErrors()).isZero();
                    })
                    .expectComplete()
                    .verify(VERIFY);
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void aRefusedConnectCountsAsAConnectError() {
        DisposableServer server = HelloServer.start("127.0.0.1", 0);
        int port = server.port();
        server.disposeNow(Duration.ofSeconds(5));   // nothing listens there now
        HelloLoad load = new HelloLoad(TcpClient.create().host("127.0.0.1").port(port), 1, Duration.ofMillis(100));

        StepVerifier.create(load.run())
                .assertNext(r -> {
                    assertThat(r.exchanges()).isZero();
                    assertThat(r.connectErrors()).isPositive();
                    assertThat(r.otherErrors()).isZero();
                })
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void theServerRepliesOnceHelloIsCompleteEvenWhenItArrivesOneByteAtATime() {
        DisposableServer server = HelloServer.start("127.0.0.1", 0);
        try {
            var conn = client(server).connectNow(Duration.ofSeconds(10));
            // Five sends of one byte each; whatever TCP makes of them, the server counts bytes.
            Mono<String> reply = conn.send(Flux.range(0, 5).map(i -> ascii("hello".substring(i, i + 1))))
                    .then(conn.shutdownOutput())
                    .thenMany(conn.inbound())
                    .map(b -> StandardCharsets.US_ASCII.decode(b).toString())
                    .reduce("", String::concat);

            StepVerifier.create(reply).expectNext("hello back").expectComplete().verify(VERIFY);
            StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void aHelloLoadRunsOnlyOnce() {
        HelloLoad load = new HelloLoad(TcpClient.create().port(1), 1, Duration.ofMillis(10));
        StepVerifier.create(load.run()).expectNextCount(1).expectComplete().verify(VERIFY);
        StepVerifier.create(load.run()).expectError(IllegalStateException.class).verify(VERIFY);
    }

    private static TcpClient client(DisposableServer server) {
        return TcpClient.create().host("127.0.0.1").port(server.port());
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
