package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.http.HttpClient;
import io.flowsock.spring.FlowsockClientHttpConnector;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;

/** Long and endless responses through WebFlux on flowsock: backpressure, and a client that leaves. */
@SpringBootTest(classes = WebFluxApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "server.shutdown=immediate")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowsockWebFluxStreamingTest {
    private static final int MIB = 1 << 20;
    /**
     * How far the producer may run ahead of what the client has read: the kernel's buffers on
     * both sides (Linux grows a socket's send buffer up to tcp_wmem's maximum, 4 MiB by default;
     * the client's receive buffer is fixed at 64 KiB) plus the few buffers flowsock and Spring hold
     * in flight. An unbounded producer would be the whole 64 MiB ahead.
     */
    private static final long MAX_LEAD = 8L * MIB;

    @LocalServerPort
    int port;

    @Test
    void aSlowReaderOfA64MibDownloadHoldsTheProducerToABoundedLead() throws Exception {
        BodyEndpoints.produced.set(0);
        long consumed = 0;
        long maxLead = 0;
        byte[] piece = new byte[BodyEndpoints.CHUNK];
        try (RawExchange download = new RawExchange(port, 64 * 1024, "/download?mib=64")) {
            assertThat(download.head()).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
            int n;
            while ((n = download.read(piece)) >= 0) {
                for (int i = 0; i < n; i++) {
                    if (piece[i] != (byte) ((consumed + i) % 251)) {
                        throw new AssertionError("byte " + (consumed + i) + " is " + piece[i]);
                    }
                }
                long before = consumed;
                consumed += n;
                if (consumed <= 4 * MIB && consumed / MIB != before / MIB) {
                    // the slow part: at each of the first four MiB the reader stops, long enough
                    // for a producer that ignored demand to make all of its 64 MiB
                    Thread.sleep(250);
                }
                long lead = BodyEndpoints.produced.get() - consumed;
                maxLead = Math.max(maxLead, lead);
                assertThat(lead).as("bytes produced ahead of the reader at " + consumed).isLessThanOrEqualTo(MAX_LEAD);
            }
        }
        assertThat(consumed).isEqualTo(64L * MIB);
        System.out.println("largest lead of the producer: " + maxLead + " bytes");
    }

    @Test
    void aClientClosingAStreamOfLinesCancelsTheControllersFlux() throws Exception {
        readABitThenClose("/endless/lines", 200);
    }

    @Test
    void aClientClosingUnderAFastStreamCancelsTheControllersFlux() throws Exception {
        // the server is blocked on a full socket when the client goes, with bytes unread (a reset)
        readABitThenClose("/endless/bytes", 256 * 1024);
    }

    private void readABitThenClose(String target, int bytes) throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        BodyEndpoints.cancelled = cancelled;
        try (RawExchange stream = new RawExchange(port, 64 * 1024, target)) {
            assertThat(stream.head()).startsWith("HTTP/1.1 200");
            byte[] piece = new byte[4096];
            for (int read = 0; read < bytes; ) {
                int n = stream.read(piece);
                assertThat(n).as("the endless body ended").isPositive();
                read += n;
            }
            assertThat(cancelled.getCount()).as("cancelled before the client left").isEqualTo(1);
        }
        assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("the controller's Flux was cancelled").isTrue();
    }

    @Test
    void aWebClientCancellingTheBodyCancelsTheControllersFlux() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        BodyEndpoints.cancelled = cancelled;
        HttpClient http = HttpClient.create();
        try {
            WebClient web = WebClient.builder().clientConnector(new FlowsockClientHttpConnector(http))
                    .baseUrl("http://127.0.0.1:" + port).build();
            StepVerifier.create(web.get().uri("/endless/bytes").retrieve().bodyToFlux(DataBuffer.class).take(8))
                    .expectNextCount(8)
                    .expectComplete()
                    .verify(Duration.ofSeconds(10));
            // the connector closes a connection whose body was cancelled
            assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("the controller's Flux was cancelled").isTrue();
        } finally {
            http.dispose();
        }
    }
}
