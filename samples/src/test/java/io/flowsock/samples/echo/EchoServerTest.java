package io.flowsock.samples.echo;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class EchoServerTest {
    private static final Duration VERIFY = Duration.ofSeconds(20);

    @Test
    void echoesEveryByteInOrderOverLoopback() {
        DisposableServer server = EchoServer.start("127.0.0.1", 0);
        try {
            byte[] data = new byte[3 << 20];
            new Random(7).nextBytes(data);
            Connection conn = TcpClient.create().host("127.0.0.1").port(server.port())
                    .connectNow(Duration.ofSeconds(10));

            // Send in 100 kB pieces while reading, then FIN: the echo ends at our FIN and its
            // server closes gracefully, which completes our inbound after the last echoed byte.
            Flux<ByteBuffer> pieces = Flux.range(0, (data.length + 99_999) / 100_000)
                    .map(i -> ByteBuffer.wrap(data, i * 100_000, Math.min(100_000, data.length - i * 100_000)));
            Mono<byte[]> echoed = Flux.merge(
                            conn.send(pieces).then(conn.shutdownOutput()).then(Mono.<byte[]>empty()),
                            collect(conn.inbound()))
                    .last();

            StepVerifier.create(echoed).assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(VERIFY);
            StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
            assertThat(server.accepted()).isEqualTo(1);
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    private static Mono<byte[]> collect(Flux<ByteBuffer> in) {
        return in.collect(ByteArrayOutputStream::new,
                        (out, b) -> out.write(b.array(), b.arrayOffset() + b.position(), b.remaining()))
                .map(ByteArrayOutputStream::toByteArray);
    }
}
