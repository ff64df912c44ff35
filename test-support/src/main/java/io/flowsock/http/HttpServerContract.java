package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Transport;
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
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * HttpServer's contract for one backend, over real sockets with a peer that sends and sees exact
 * bytes: framing both ways, persistence, pipelining, 100-continue, HEAD, unread bodies, errors.
 * Each backend subclasses it and supplies its transport.
 */
public abstract class HttpServerContract extends HttpFixture {
    @Test
    void aWholeBodyGoesOutWithContentLengthAndADateHeader() throws IOException {
        DisposableServer s = bind(HttpFixture::hello);
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send(GET_HELLO).read();
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r.header("Content-Length")).contains("13");
            assertThat(r.header("Content-Type")).contains("text/plain; charset=utf-8");
            assertThat(r.header("Date").orElse("")).matches("\\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
            assertThat(r.header("Connection")).isEmpty();
            assertThat(r.bodyText()).isEqualTo("Hello, World!");
        }
    }

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
    void aChunkedRequestBodyArrivesDechunkedAndAStreamedResponseGoesOutChunked() throws IOException {
        DisposableServer s = bind((req, res) -> res.send(req.receive()));
        try (RawHttp c = new RawHttp(s.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n6\r\n, worl\r\n1\r\nd\r\n0\r\nX-Trailer: dropped\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.chunked()).isTrue();
            assertThat(r.bodyText()).isEqualTo("hello, world");
            RawHttp.Response next = c.send(GET_HELLO).read();   // the connection went on, framed right
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEmpty();
        }
    }

    @Test
    void aLargeBodyEchoesByteForByteWhileTheClientStillSends() throws Exception {
        DisposableServer s = bind((req, res) -> res.send(req.receive()));
        byte[] data = new byte[8 << 20];
        new Random(1).nextBytes(data);
        try (RawHttp c = new RawHttp(s.port())) {
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + data.length + "\r\n\r\n").send(data);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            RawHttp.Response r = c.read();
            upload.get(30, TimeUnit.SECONDS);
            assertThat(r.body()).isEqualTo(data);
        }
    }

    @Test
    void aBodyReadInPlaceSeesEveryByteAndWhatFollowsItIsFramedRight() throws Exception {
        DisposableServer s = bind((req, res) -> Mono.defer(() -> {
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            return req.receive(b -> {
                int n = b.remaining();
                crc.update(b);
                return (long) n;
            }).reduce(0L, Long::sum).defaultIfEmpty(0L).flatMap(n -> res.sendString(n + " " + crc.getValue()));
        }));
        byte[] data = new byte[8 << 20];
        new Random(2).nextBytes(data);
        java.util.zip.CRC32 expected = new java.util.zip.CRC32();
        expected.update(data);
        try (RawHttp c = new RawHttp(s.port())) {
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {   // a chunked body and a GET pipelined right behind the large one, in the same stream
                    c.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: " + data.length + "\r\n\r\n").send(data)
                            .send("POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n" + GET_HELLO);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(c.read().bodyText()).isEqualTo(data.length + " " + expected.getValue());
            java.util.zip.CRC32 abcde = new java.util.zip.CRC32();
            abcde.update("abcde".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.read().bodyText()).isEqualTo("5 " + abcde.getValue());
            assertThat(c.read().bodyText()).isEqualTo("0 0");
            upload.get(30, TimeUnit.SECONDS);
        }
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void aReaderThatKeepsTheLentBufferFailsTheBodyWithAClearErrorAndTheConnectionGoesOn() throws IOException {
        DisposableServer s = bind((req, res) -> req.receive(b -> b).then(res.sendString("kept"))
                .onErrorResume(e -> res.status(400).sendString(e.getMessage())));
        try (RawHttp c = new RawHttp(s.port())) {
            String body = "x".repeat(5_000);
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("returned the buffer it was lent");
            assertThat(c.send(GET_HELLO).read().bodyText()).isEqualTo("kept");   // the rest was drained, not parsed
        }
    }

    @Test
    void receiveStringJoinsABodyThatArrivesInManyReads() throws IOException {
        DisposableServer s = bind((req, res) -> req.receiveString().flatMap(t -> res.sendString(t.length() + ":"
                + t.substring(t.length() - 3))));
        try (RawHttp c = new RawHttp(s.port())) {
            String body = "y".repeat(300_000) + "end";
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(c.read().bodyText()).isEqualTo("300003:end");
        }
    }

    @Test
    void headGetsTheHeadGetWouldWithoutTheBody() throws IOException {
        DisposableServer s = bind(HttpFixture::hello);
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
            assertThat(r.header("Content-Length")).contains("13");
            assertThat(c.send(GET_HELLO).read().bodyText()).isEqualTo("Hello, World!");   // nothing stray between
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
    void expectContinueGetsTheInterimResponseOnlyOnceTheBodyIsAskedFor() throws IOException {
        DisposableServer s = bind((req, res) -> res.sendString(req.receiveString().map(String::toUpperCase)));
        try (RawHttp c = new RawHttp(s.port())) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response interim = c.read();
            assertThat(interim.statusLine()).isEqualTo("HTTP/1.1 100 Continue");
            RawHttp.Response r = c.send("hello").read();
            assertThat(r.bodyText()).isEqualTo("HELLO");
        }
    }

    @Test
    void aBodyTheHandlerLeavesUnreadIsDrainedAndTheNextRequestIsFramedRight() throws IOException {
        DisposableServer s = bind(HttpFixture::hello);
        try (RawHttp c = new RawHttp(s.port())) {
            String body = "x".repeat(10_000);
            c.send("POST /ignored HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(c.read().bodyText()).isEqualTo("Hello, World!");
            c.send("POST /ignored HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("Hello, World!");
            assertThat(c.send(GET_HELLO).read().bodyText()).isEqualTo("Hello, World!");
        }
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void aLargeUnreadBodyClosesTheConnectionInsteadOfBeingRead() throws IOException {
        DisposableServer s = bind(HttpFixture::hello);
        try (RawHttp c = new RawHttp(s.port())) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.header("Connection")).contains("close");
            assertThat(c.closedByServer(5000)).isTrue();
        }
    }

    @Test
    void aHandlerThatFailsBeforeSendingGets500() throws IOException {
        DisposableServer s = bind((req, res) -> Mono.error(new IllegalStateException("boom")));
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send(GET_HELLO).read();
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.header("Connection")).contains("close");
        }
    }

    @Test
    void aHandlerThatFailsMidBodyAbortsTheConnectionRatherThanEndTheBodyCleanly() throws IOException {
        DisposableServer s = bind((req, res) -> res.send(Flux.concat(
                Mono.just(ByteBuffer.wrap("part".getBytes(StandardCharsets.US_ASCII))),
                Mono.delay(Duration.ofMillis(50)).then(Mono.error(new IllegalStateException("mid-body"))))));
        try (RawHttp c = new RawHttp(s.port())) {
            c.send(GET_HELLO);
            org.assertj.core.api.Assertions.assertThatThrownBy(c::read).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aHeaderValueWithCrLfCannotSplitTheResponse() throws IOException {
        DisposableServer s = bind((req, res) -> res.header("X-Injected", "a\r\nSet-Cookie: evil=1").send());
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send(GET_HELLO).read();
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.header("Set-Cookie")).isEmpty();
        }
    }

    @Test
    void aStreamedBodyShorterThanItsDeclaredLengthAbortsTheConnection() throws IOException {
        DisposableServer s = bind((req, res) -> res.header("Content-Length", 10)
                .send(Flux.just(ByteBuffer.wrap(new byte[3]))));
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send(GET_HELLO).read();
            assertThat(r.body()).hasSize(3);   // the client sees the truncation: fewer bytes, then the end
            assertThat(c.closedByServer(5000)).isTrue();
        } catch (IOException reset) {
            // the abort overtook the bytes before it (a reset, or no response at all): truncated too
            assertThat(reset).hasMessageMatching("(?i).*(reset|closed the connection|stream ended).*");
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
    void aBodyLeftHalfReadWhenTheResponseEndsFailsItsReaderRatherThanEndAsIfWhole() throws Exception {
        CompletableFuture<Throwable> readerSaw = new CompletableFuture<>();
        DisposableServer s = bind((req, res) -> {
            req.receive().subscribe(new reactor.core.publisher.BaseSubscriber<ByteBuffer>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription sub) {
                    sub.request(1);   // and no more
                }

                @Override
                protected void hookOnError(Throwable e) {
                    readerSaw.complete(e);
                }

                @Override
                protected void hookOnComplete() {
                    readerSaw.complete(null);
                }
            });
            return Mono.delay(Duration.ofMillis(100)).then(res.sendString("early"));
        });
        try (RawHttp c = new RawHttp(s.port())) {
            String body = "z".repeat(50_000);
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(c.read().bodyText()).isEqualTo("early");
            assertThat(readerSaw.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ended before its body was read");
            assertThat(c.send(GET_HELLO).read().bodyText()).isEqualTo("early");   // drained: framed right
        }
    }

    @Test
    void theEmptyBodyOfAGetEndsCleanlyEvenForASubscriberThatComesAfterTheResponse() throws Exception {
        CompletableFuture<HttpServerRequest> seen = new CompletableFuture<>();
        DisposableServer s = bind((req, res) -> {
            seen.complete(req);
            return hello(req, res);
        });
        try (RawHttp c = new RawHttp(s.port())) {
            assertThat(c.send(GET_HELLO).read().bodyText()).isEqualTo("Hello, World!");
            HttpServerRequest req = seen.get(10, TimeUnit.SECONDS);
            assertThat(req.receive().count().block(Duration.ofSeconds(10))).isZero();
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
    void aBodyNobodyAsksForIsLeftInTheSocketSoTheClientIsSlowedByTcp() throws Exception {
        CompletableFuture<org.reactivestreams.Subscription> reader = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        DisposableServer s = bind((req, res) -> res.sendString(Mono.create(sink -> req.receive().subscribe(
                new reactor.core.publisher.BaseSubscriber<ByteBuffer>() {
                    @Override
                    protected void hookOnSubscribe(org.reactivestreams.Subscription sub) {
                        sub.request(1);   // one buffer, then nothing until the test says
                        reader.complete(sub);
                    }

                    @Override
                    protected void hookOnNext(ByteBuffer b) {
                        received.addAndGet(b.remaining());
                    }

                    @Override
                    protected void hookOnComplete() {
                        sink.success("read " + received.get());
                    }
                }))));
        int size = 64 << 20;
        try (RawHttp c = new RawHttp(s.port())) {
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n");
                    byte[] block = new byte[1 << 20];
                    for (int i = 0; i < 64; i++) {
                        c.send(block);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            org.reactivestreams.Subscription sub = reader.get(10, TimeUnit.SECONDS);
            Thread.sleep(1000);
            assertThat(upload).as("the client is still blocked writing").isNotDone();
            assertThat(received.get()).isLessThan(1 << 20);   // one read's worth, not the socket's backlog
            sub.request(Long.MAX_VALUE);
            upload.get(30, TimeUnit.SECONDS);
            assertThat(c.read().bodyText()).isEqualTo("read " + size);
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
