package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.DisposableServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * HttpServer's contract for one backend, over real sockets with a peer that sends and sees exact
 * bytes: framing both ways, 100-continue, HEAD, unread bodies, errors. Persistence, pipelining and
 * closing are {@link HttpConnectionContract}'s. Each backend subclasses it and supplies its
 * transport.
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
    void aWholeBodysDeclaredContentLengthIsKeptWhenRightAndReplacedOtherwise() throws IOException {
        DisposableServer s = bind((req, res) -> {
            switch (req.path()) {
                case "/right" -> res.header("Content-Length", 5);
                case "/wrong" -> res.header("Content-Length", 50);
                case "/twice" -> res.addHeader("Content-Length", 5).addHeader("Content-Length", 5);
                default -> res.header("Content-Length", "05");
            }
            return res.send(Mono.just(ByteBuffer.wrap("12345".getBytes(StandardCharsets.US_ASCII))));
        });
        try (RawHttp c = new RawHttp(s.port())) {
            for (String path : new String[] {"/right", "/wrong", "/twice", "/padded"}) {
                RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertThat(r.headers().stream().filter(h -> h[0].equalsIgnoreCase("Content-Length")).map(h -> h[1]))
                        .as(path).containsExactly("5");
                assertThat(r.bodyText()).as(path).isEqualTo("12345");
            }
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
}
