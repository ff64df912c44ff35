package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.DisposableServer;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * HttpServer's connections for one backend, over real sockets with a peer that sends and sees
 * exact bytes: persistence, pipelining (answers in order, the answers to one read in one write),
 * Connection: close, HTTP/1.0, the client's half-close, and the server's dispose. The framing of
 * each message is {@link HttpServerContract}'s. Each backend subclasses it and supplies its
 * transport.
 */
public abstract class HttpConnectionContract extends HttpFixture {
    @Test
    void oneConnectionServesRequestAfterRequest() throws IOException {
        DisposableServer s = bind(HttpFixture::hello);
        try (RawHttp c = new RawHttp(s.port())) {
            for (int i = 0; i < 20; i++) {
                assertThat(c.send(GET_HELLO).read().bodyText()).isEqualTo("Hello, World!");
            }
        }
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderWhateverEachHandlerTakes() throws IOException {
        Random random = new Random(7);
        DisposableServer s = bind((req, res) -> Mono.delay(Duration.ofMillis(random.nextInt(20)))
                .then(res.sendString(req.path())));
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            all.append("GET /").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        try (RawHttp c = new RawHttp(s.port())) {
            c.send(all.toString());
            for (int i = 0; i < 16; i++) {
                assertThat(c.read().bodyText()).isEqualTo("/" + i);
            }
        }
    }

    @Test
    void pipelinedRequestsThatArriveInOneReadAreAnsweredInOneWrite() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DisposableServer s = bind(server().tcp(t -> t.transport(transport).metrics(registry))
                .handle((req, res) -> res.sendString(req.path())));
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            all.append("GET /").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        try (RawHttp c = new RawHttp(s.port())) {
            for (int round = 0; round < 3; round++) {
                c.send(all.toString());   // one segment on loopback: read whole by the server
                for (int i = 0; i < 16; i++) {
                    assertThat(c.read().bodyText()).isEqualTo("/" + i);
                }
            }
            DistributionSummary reads = registry.get("flowsock.tcp.server.data.received").summary();
            DistributionSummary writes = registry.get("flowsock.tcp.server.data.sent").summary();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (writes.count() < reads.count() && System.nanoTime() < deadline) {
                Thread.sleep(5);   // the last write's completion may be recorded after its bytes were read
            }
            // 48 answers; sixteen writes a round if each went alone, four at the server's sendcap
            assertThat(writes.count()).as("writes for %s reads", reads.count()).isLessThanOrEqualTo(reads.count());
        }
    }

    @Test
    void aLongPipelineOfMixedAnswersComesBackWholeAndInOrder() throws IOException {
        DisposableServer s = bind((req, res) -> {
            int i = Integer.parseInt(req.path().substring(1));
            String text = "/" + i + "#".repeat(i % 7 == 0 ? 20_000 : i % 3);   // some past the head's 16 KiB copy
            if (i % 5 == 0) {
                return res.send(Flux.just(text.substring(0, 1), text.substring(1))
                        .map(t -> ByteBuffer.wrap(t.getBytes(StandardCharsets.UTF_8))));   // streamed, chunked
            }
            return res.sendString(text);
        });
        int n = 600;
        StringBuilder all = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            all.append(i % 11 == 0 ? "HEAD /" : "GET /").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        try (RawHttp c = new RawHttp(s.port())) {
            c.send(all.toString());   // far more than are read ahead at once, in reads of any split
            for (int i = 1; i <= n; i++) {
                RawHttp.Response r = c.read(i % 11 == 0);
                assertThat(r.status()).isEqualTo(200);
                String text = "/" + i + "#".repeat(i % 7 == 0 ? 20_000 : i % 3);
                assertThat(r.bodyText()).as("answer %d", i).isEqualTo(i % 11 == 0 ? "" : text);
            }
            assertThat(c.send(GET_HELLO.replace("/hello", "/0")).read().bodyText()).startsWith("/0");
        }
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void aHandlerThatFailsAfterItsPipelinedAnswerClosesTheConnectionAfterTheAnswers() throws IOException {
        DisposableServer s = bind((req, res) -> req.path().equals("/fail")
                ? res.sendString("answered").then(Mono.error(new IllegalStateException("after the answer")))
                : res.sendString(req.path()));
        try (RawHttp c = new RawHttp(s.port())) {
            c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /fail HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("/a");
            assertThat(c.read().bodyText()).isEqualTo("answered");
            // /b was maybe read ahead and answered before the failure came; either way nothing else follows
            List<String> rest = new ArrayList<>();
            try {
                rest.add(c.read().bodyText());
            } catch (IOException e) {
                // closed after "answered"
            }
            assertThat(rest).isSubsetOf("/b");
            assertThat(c.closedByServer(5000)).isTrue();
        }
    }

    @Test
    void connectionCloseIsHonouredAndTheServerClosesAfterTheResponse() throws IOException {
        DisposableServer s = bind(HttpFixture::hello);
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
            assertThat(r.header("Connection")).contains("close");
            assertThat(c.closedByServer(5000)).isTrue();
        }
    }

    @Test
    void http10ClosesUnlessAskedToKeepAliveAndGetsAStreamedBodyDelimitedByTheClose() throws IOException {
        DisposableServer s = bind((req, res) -> req.path().equals("/stream")
                ? res.sendString(Flux.just("a", "b", "c")) : hello(req, res));
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send("GET /hello HTTP/1.0\r\n\r\n").read();
            assertThat(r.header("Connection")).contains("close");
            assertThat(c.closedByServer(5000)).isTrue();
        }
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.header("Connection")).contains("keep-alive");
            RawHttp.Response streamed = c.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(streamed.chunked()).isFalse();
            assertThat(streamed.bodyText()).isEqualTo("abc");   // read to the end of the stream
        }
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheWholeResponse() throws IOException {
        DisposableServer s = bind((req, res) -> res.send(req.receive()));
        try (RawHttp c = new RawHttp(s.port())) {
            String body = "y".repeat(200_000);
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            c.shutdownOutput();
            assertThat(c.read().bodyText()).isEqualTo(body);
            assertThat(c.closedByServer(5000)).isTrue();
        }
    }

    @Test
    void requestsPipelinedBeforeTheClientsFinAreAllAnswered() throws IOException {
        DisposableServer s = bind(HttpFixture::hello);
        try (RawHttp c = new RawHttp(s.port())) {
            c.send(GET_HELLO + GET_HELLO + GET_HELLO);
            c.shutdownOutput();
            for (int i = 0; i < 3; i++) {
                assertThat(c.read().bodyText()).isEqualTo("Hello, World!");
            }
            assertThat(c.closedByServer(5000)).isTrue();
        }
    }

    @Test
    void disposeClosesIdleConnectionsAtOnceAndLetsAnExchangeInFlightFinishWithClose() throws Exception {
        DisposableServer s = bind((req, res) -> req.path().equals("/slow")
                ? Mono.delay(Duration.ofMillis(700)).then(res.sendString("done")) : hello(req, res));
        try (RawHttp idle = new RawHttp(s.port()); RawHttp busy = new RawHttp(s.port())) {
            assertThat(idle.send(GET_HELLO).read().status()).isEqualTo(200);
            busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            Thread.sleep(200);   // the slow handler is running
            CompletableFuture<Void> disposed = CompletableFuture.runAsync(() -> s.disposeNow(Duration.ofSeconds(10)));
            assertThat(idle.closedByServer(5000)).as("the idle connection closes at once").isTrue();
            RawHttp.Response r = busy.read();
            assertThat(r.bodyText()).isEqualTo("done");
            assertThat(r.header("Connection")).contains("close");
            assertThat(busy.closedByServer(5000)).isTrue();
            disposed.get(10, TimeUnit.SECONDS);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RawHttp(s.port()).close())
                .isInstanceOf(java.net.ConnectException.class);
    }
}
