package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static io.flowsock.reactive.Loopback.randomBytes;
import static io.flowsock.reactive.Loopback.rawClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.ConnectionClosedException;
import io.flowsock.core.ConnectionResetException;
import io.flowsock.core.Transport;
import io.flowsock.core.Tunable;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/**
 * The connection contract of docs/design.md over real loopback sockets, for one backend. Each backend
 * subclasses it and supplies its transport; a backend that cannot run here is skipped with the
 * reason in the subclass. Public, in flowsock-test-support, so a backend in another module (io_uring)
 * runs the same suite.
 */
public abstract class ConnectionContract extends LoopbackFixture {
    // ------------------------------------------------------------------ cancelling inbound: no more input

    @Test
    public void inboundNextThenFlatMapSendsTheWholeReplyThenFin() throws Exception {
        byte[] reply = randomBytes(256 * 1024, 40);
        DisposableServer server = bind(server().handle(c ->
                c.inbound().next().flatMap(first -> c.send(Mono.just(ByteBuffer.wrap(reply))))));
        try (Socket peer = rawClient(server.port())) {
            peer.setSoTimeout(20_000);
            peer.getOutputStream().write("hello".getBytes());
            assertThat(peer.getInputStream().readAllBytes()).as("the reply whole, then EOF").isEqualTo(reply);
        }
        await(() -> server.connections() == 0, VERIFY, "closed once the handler ended and the peer closed");
    }

    @Test
    public void afterCancellingInboundThePeersDataIsNotReadAndTheConnectionStillSends() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = rawClient(server.port())) {
            peer.setSoTimeout(20_000);
            Connection conn = nextAccepted();
            peer.getOutputStream().write("first".getBytes());
            StepVerifier.create(conn.inbound().next().map(ByteBuffer::remaining))
                    .expectNextMatches(n -> n > 0).expectComplete().verify(VERIFY);

            AtomicLong written = new AtomicLong();
            Thread writer = new Thread(() -> {
                byte[] block = new byte[64 * 1024];
                try {
                    OutputStream out = peer.getOutputStream();
                    for (int i = 0; i < 4096; i++) {   // 256 MiB: far more than the socket buffers hold
                        out.write(block);
                        written.addAndGet(block.length);
                    }
                } catch (IOException closedAtTheEnd) {
                    // the test closes the socket under the stalled writer
                }
            }, "unread-writer");
            writer.start();
            long last;
            long now = written.get();
            int rounds = 0;
            do {
                last = now;
                Thread.sleep(500);
                now = written.get();
            } while (now != last && ++rounds < 40);
            assertThat(now).as("nobody reads: the peer stalls").isEqualTo(last).isLessThan(4096L * 64 * 1024);

            StepVerifier.create(conn.send(Mono.just(Loopback.utf8("still sending"))))
                    .expectComplete().verify(VERIFY);
            byte[] got = new byte["still sending".length()];
            new java.io.DataInputStream(peer.getInputStream()).readFully(got);
            assertThat(new String(got)).isEqualTo("still sending");
            assertThat(conn.isDisposed()).isFalse();
            conn.dispose();
            writer.join(20_000);
        }
    }

    @Test
    public void aCancelAfterInboundCompletedLeavesTheReplyAndACleanFin() throws Exception {
        byte[] reply = randomBytes(128 * 1024, 41);
        DisposableServer server = bind(server().handle(c -> {
            CompletableFuture<Void> ended = new CompletableFuture<>();
            c.inbound().subscribe(new reactor.core.CoreSubscriber<ByteBuffer>() {
                private Subscription s;

                @Override
                public void onSubscribe(Subscription s) {
                    this.s = s;
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(ByteBuffer b) {
                }

                @Override
                public void onError(Throwable t) {
                    ended.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    s.cancel();                       // as Flux.zip does to a finished source
                    ended.complete(null);
                }
            });
            return Mono.fromFuture(ended).then(c.send(Mono.just(ByteBuffer.wrap(reply))));
        }));
        try (Socket peer = rawClient(server.port())) {
            peer.setSoTimeout(20_000);
            peer.getOutputStream().write("request".getBytes());
            peer.shutdownOutput();
            assertThat(peer.getInputStream().readAllBytes()).as("no reset, the reply whole").isEqualTo(reply);
        }
    }

    @Test
    public void aZipOverInboundThatFinishedStillLetsTheHandlerReply() throws Exception {
        DisposableServer server = bind(server().handle(c ->
                Flux.zip(c.inbound().collectList(), Mono.just(1))
                        .then(c.send(Mono.just(Loopback.utf8("zipped reply"))))));
        try (Socket peer = rawClient(server.port())) {
            peer.setSoTimeout(20_000);
            peer.getOutputStream().write("data".getBytes());
            peer.shutdownOutput();
            assertThat(new String(peer.getInputStream().readAllBytes())).isEqualTo("zipped reply");
        }
    }

    // ------------------------------------------------------------------ signals from other threads

    @Test
    public void sendsCancelledWhileTheirPublisherEmitsOnAnotherThreadLeaveTheConnectionWorking() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            Thread drain = new Thread(() -> {
                try {
                    peer.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException closed) {
                    // the socket closes at the end of the test
                }
            }, "peer-drain");
            drain.start();
            for (int i = 0; i < 200; i++) {
                Flux<ByteBuffer> data = Flux.range(0, 64).map(n -> ByteBuffer.wrap(new byte[512]))
                        .publishOn(reactor.core.scheduler.Schedulers.parallel());
                reactor.core.Disposable d = conn.send(data).subscribe();
                if (i % 2 == 0) {
                    Thread.onSpinWait();
                }
                d.dispose();                      // the Mono's cancel races the publisher's onNext
            }
            StepVerifier.create(conn.send(Mono.just(Loopback.utf8("after the races"))))
                    .expectComplete().verify(VERIFY);
            assertThat(conn.isDisposed()).isFalse();
            Tunable burst = CompletableFuture.supplyAsync(conn::recvBurst).get(10, TimeUnit.SECONDS);
            assertThat(burst.inUse()).isBetween(0, burst.cap());
            conn.dispose();
            peer.close();
            drain.join(20_000);
        }
    }

    // ------------------------------------------------------------------ echo

    @Test
    public void echoReturnsEightMebibytesInOrder() {
        DisposableServer server = bind(server().handle(conn -> conn.send(conn.inbound())));
        Connection conn = client(server).connectNow();
        byte[] data = randomBytes(8 << 20, 1);

        Mono<byte[]> echoed = Flux.merge(
                conn.send(chunks(data, 64 * 1024)).then(conn.shutdownOutput()).then(Mono.<byte[]>empty()),
                collect(conn.inbound())).last();

        StepVerifier.create(echoed).assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(VERIFY);
        StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
    }

    @Test
    public void echoReturnsEveryByteWhenClientShutsDownOutputRightAfterLastWrite() {
        DisposableServer server = bind(server().handle(conn -> conn.send(conn.inbound())));
        Connection conn = client(server).connectNow();
        byte[] data = randomBytes(1 << 20, 2);

        Mono<byte[]> echoed = conn.send(Flux.just(ByteBuffer.wrap(data)))
                .then(conn.shutdownOutput())
                .then(collect(conn.inbound()));

        StepVerifier.create(echoed).assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(VERIFY);
    }

    @Test
    public void echoSurvivesAPeerThatSendsOneByteAtATime() throws Exception {
        DisposableServer server = bind(server().handle(conn -> conn.send(conn.inbound())));
        byte[] data = randomBytes(2000, 3);
        try (Socket s = rawClient(server.port())) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            for (byte b : data) {
                out.write(b);
                out.flush();
            }
            s.shutdownOutput();
            assertThat(s.getInputStream().readAllBytes()).isEqualTo(data);
        }
    }

    // ------------------------------------------------------------------ inbound demand

    @Test
    public void readsStopWithoutDemandSoThePeerStallsAndResumeWhenRequested() throws Exception {
        DisposableServer server = bind(server());
        long total = 256L << 20;
        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> writer = new CompletableFuture<>();
        Socket peer = rawClient(server.port());
        Thread t = new Thread(() -> {
            byte[] block = new byte[64 * 1024];
            try (OutputStream out = peer.getOutputStream()) {
                while (written.get() < total) {
                    out.write(block);
                    written.addAndGet(block.length);
                }
                peer.shutdownOutput();
                writer.complete(null);
            } catch (IOException e) {
                writer.completeExceptionally(e);
            }
        }, "stalling-writer");
        t.start();
        Connection conn = nextAccepted();
        long heapBefore = usedHeapAfterGc();
        AtomicLong received = new AtomicLong();
        AtomicInteger buffers = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        BaseSubscriber<ByteBuffer> slow = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            protected void hookOnNext(ByteBuffer b) {
                received.addAndGet(b.remaining());
                buffers.incrementAndGet();
            }

            @Override
            protected void hookOnComplete() {
                done.complete(null);
            }
        };
        conn.inbound().subscribe(slow);

        // The writer stalls: it makes no progress for half a second, far short of 256 MiB.
        long last;
        long now = written.get();
        do {
            last = now;
            Thread.sleep(500);
            now = written.get();
        } while (now != last && now < total);
        assertThat(now).as("bytes the peer managed to write while the subscriber asked for one buffer")
                .isLessThan(64L << 20);
        assertThat(buffers.get()).as("buffers delivered against a demand of one").isEqualTo(1);
        assertThat(received.get()).isLessThanOrEqualTo(64 * 1024);
        assertThat(conn.recvBurst().inUse()).as("no read posted without demand").isZero();
        assertThat(usedHeapAfterGc() - heapBefore).as("heap grown while the peer pushed against a demand of one")
                .isLessThan(32L << 20);

        slow.request(Long.MAX_VALUE);
        writer.get(30, TimeUnit.SECONDS);
        done.get(30, TimeUnit.SECONDS);
        assertThat(received.get()).isEqualTo(total);
        peer.close();
    }

    @Test
    public void burstDetectionRisesUnderAFastSenderAndFallsBackWhenItTrickles() throws Exception {
        DisposableServer server = bind(server().recvBurst(8));
        List<Integer> fastSamples = new CopyOnWriteArrayList<>();
        List<Integer> slowSamples = new CopyOnWriteArrayList<>();
        AtomicLong received = new AtomicLong();
        long bulk = 64L << 20;
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            conn.inbound().subscribe(b -> {
                long r = received.addAndGet(b.remaining());
                (r <= bulk ? fastSamples : slowSamples).add(conn.recvBurst().inUse());
            });
            OutputStream out = peer.getOutputStream();
            byte[] block = new byte[256 * 1024];
            for (long sent = 0; sent < bulk; sent += block.length) {
                out.write(block);
            }
            await(() -> received.get() >= bulk, VERIFY, "bulk received");
            for (int i = 0; i < 12; i++) {
                out.write(new byte[10]);
                out.flush();
                long expect = bulk + 10L * (i + 1);
                await(() -> received.get() >= expect, VERIFY, "trickle " + expect);
            }
            assertThat(fastSamples).as("ABD choices under a fast sender").anyMatch(n -> n > 1);
            assertThat(fastSamples).allMatch(n -> n <= 8);
            assertThat(slowSamples.subList(slowSamples.size() - 3, slowSamples.size()))
                    .as("ABD choices once the sender trickles").containsOnly(1);
            assertThat(conn.recvBurst().cap()).isEqualTo(8);
        }
    }

    @Test
    public void burstDetectionNeverPostsMoreBuffersThanTheSubscriberAskedFor() throws Exception {
        DisposableServer server = bind(server().recvBurst(16));
        List<Integer> samples = new CopyOnWriteArrayList<>();
        AtomicLong received = new AtomicLong();
        long bulk = 32L << 20;
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            conn.inbound().subscribe(new BaseSubscriber<>() {
                int left;

                @Override
                protected void hookOnSubscribe(Subscription s) {
                    left = 2;
                    s.request(2);
                }

                @Override
                protected void hookOnNext(ByteBuffer b) {
                    received.addAndGet(b.remaining());
                    samples.add(conn.recvBurst().inUse());
                    if (--left == 0) {
                        left = 2;
                        request(2);
                        samples.add(conn.recvBurst().inUse());   // the next read's choice, demand 2
                    }
                }
            });
            byte[] block = new byte[256 * 1024];
            OutputStream out = peer.getOutputStream();
            for (long sent = 0; sent < bulk; sent += block.length) {
                out.write(block);
            }
            await(() -> received.get() >= bulk, VERIFY, "bulk received");
            assertThat(samples).as("buffers posted against a demand of at most 2").allMatch(n -> n <= 2);
            assertThat(samples).anyMatch(n -> n == 2);
        }
    }

    @Test
    public void recvBurstOfOneKeepsOneBufferPerRead() throws Exception {
        DisposableServer server = bind(server().recvBurst(1));
        List<Integer> samples = new CopyOnWriteArrayList<>();
        AtomicLong received = new AtomicLong();
        long bulk = 16L << 20;
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            assertThat(conn.recvBurst()).isEqualTo(new Tunable(1, 0));
            conn.inbound().subscribe(b -> {
                received.addAndGet(b.remaining());
                samples.add(conn.recvBurst().inUse());
            });
            byte[] block = new byte[256 * 1024];
            for (long sent = 0; sent < bulk; sent += block.length) {
                peer.getOutputStream().write(block);
            }
            await(() -> received.get() >= bulk, VERIFY, "bulk received");
            assertThat(samples).isNotEmpty().containsOnly(1);
        }
    }

    @Test
    public void recvBurstChangedLiveTakesEffectFromTheNextRead() throws Exception {
        DisposableServer server = bind(server().recvBurst(1));
        List<Integer> samples = new CopyOnWriteArrayList<>();
        AtomicLong received = new AtomicLong();
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            conn.recvBurst(8);
            assertThat(conn.recvBurst().cap()).isEqualTo(8);
            conn.inbound().subscribe(b -> {
                received.addAndGet(b.remaining());
                samples.add(conn.recvBurst().inUse());
            });
            byte[] block = new byte[256 * 1024];
            for (int i = 0; i < 64; i++) {
                peer.getOutputStream().write(block);
            }
            await(() -> received.get() >= 64L * block.length, VERIFY, "bulk received");
            assertThat(samples).anyMatch(n -> n > 1).allMatch(n -> n <= 8);
        }
    }

    // ------------------------------------------------------------------ sendcap

    @Test
    public void sendNeverRequestsMoreThanSendCapAheadOfWritesAndALiveChangeApplies() throws Exception {
        DisposableServer server = bind(server().sendCap(4));
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            TestPublisher<ByteBuffer> out = TestPublisher.create();
            Mono<Void> sent = conn.send(out);
            CompletableFuture<Void> result = sent.toFuture();
            out.assertWasSubscribed();
            // inUse counts a request before it reaches the publisher (it may deliver inline): wait for both
            await(() -> conn.sendCap().inUse() == 4 && requestedAtLeast(out, 4), VERIFY, "4 buffers requested");
            out.assertMinRequested(4).assertMaxRequested(4);

            // The peer does not read: 4 MiB buffers fill the socket buffers and writes stall. Each
            // buffer written in full returns its credit, which is requested again at once, so the
            // active send keeps exactly sendCap buffers requested-or-in-flight, never more.
            for (int i = 0; i < 4; i++) {
                out.next(ByteBuffer.wrap(new byte[4 << 20]));
            }
            Thread.sleep(300);
            assertThat(conn.sendCap()).isEqualTo(new Tunable(4, 4));
            out.assertMaxRequested(4);

            conn.sendCap(8);
            await(() -> conn.sendCap().inUse() == 8 && requestedAtLeast(out, 4), VERIFY,
                    "the raised cap requested at once");
            out.assertMinRequested(4).assertMaxRequested(8);

            // Drain the peer so every write completes; then the send completes with the publisher.
            CompletableFuture<byte[]> drained = CompletableFuture.supplyAsync(() -> {
                try {
                    return peer.getInputStream().readNBytes(16 << 20);   // exactly what was sent
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(drained.get(20, TimeUnit.SECONDS)).hasSize(16 << 20);
            out.complete();
            result.get(20, TimeUnit.SECONDS);
            assertThat(conn.sendCap().inUse()).isZero();
        }
    }

    @Test
    public void sendsRunOneAfterAnotherInSubscriptionOrder() {
        DisposableServer server = bind(server().handle(conn -> Flux.range(0, 50)
                .concatMap(i -> conn.send(Flux.just(Loopback.utf8(i + ",")))
                        .subscribeOn(reactor.core.scheduler.Schedulers.parallel()))
                .then()));
        Connection conn = client(server).connectNow();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            expected.append(i).append(',');
        }
        StepVerifier.create(Strings.decodeUtf8(conn.inbound()).reduce("", String::concat))
                .expectNext(expected.toString()).expectComplete().verify(VERIFY);
    }

    // ------------------------------------------------------------------ half-close and FIN

    @Test
    public void inboundCompletesWhenPeerShutsDownOutputAndSendingStillWorks() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            peer.getOutputStream().write("last words".getBytes());
            peer.shutdownOutput();
            StepVerifier.create(Strings.decodeUtf8(conn.inbound()).reduce("", String::concat))
                    .expectNext("last words").expectComplete().verify(VERIFY);
            StepVerifier.create(conn.send(Mono.just(Loopback.utf8("reply after your FIN")))
                    .then(conn.shutdownOutput())).expectComplete().verify(VERIFY);
            assertThat(new String(peer.getInputStream().readAllBytes())).isEqualTo("reply after your FIN");
            StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
        }
    }

    @Test
    public void shutdownOutputSendsFinAfterPendingSendsAndInboundKeepsWorking() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            byte[] data = randomBytes(3 << 20, 4);
            conn.send(chunks(data, 100_000)).subscribe();
            conn.shutdownOutput().subscribe();
            assertThat(peer.getInputStream().readAllBytes()).isEqualTo(data);   // EOF right after the data

            peer.getOutputStream().write("still listening?".getBytes());
            peer.shutdownOutput();
            StepVerifier.create(Strings.decodeUtf8(conn.inbound()).reduce("", String::concat))
                    .expectNext("still listening?").expectComplete().verify(VERIFY);
            StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
        }
    }

    @Test
    public void sendAfterShutdownOutputFailsNamingTheReason() throws Exception {
        DisposableServer server = bind(server());
        try (Socket ignored = rawClient(server.port())) {
            Connection conn = nextAccepted();
            StepVerifier.create(conn.shutdownOutput().then(conn.send(Mono.just(Loopback.utf8("late")))))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConnectionClosedException.class)
                            .hasMessageContaining("output was shut down"))
                    .verify(VERIFY);
        }
    }

    // ------------------------------------------------------------------ reset

    @Test
    public void peerResetErrorsInboundAndAPendingSendWithTheResetException() throws Exception {
        DisposableServer server = bind(server());
        Socket peer = rawClient(server.port());
        Connection conn = nextAccepted();
        CompletableFuture<Throwable> inboundError = new CompletableFuture<>();
        conn.inbound().subscribe(b -> { }, inboundError::complete);
        CompletableFuture<Void> send = sendThePeerNeverReads(conn);
        Thread.sleep(200);
        peer.setSoLinger(true, 0);
        peer.close();   // RST

        Throwable in = inboundError.get(10, TimeUnit.SECONDS);
        assertThat(in).isInstanceOf(ConnectionResetException.class);
        assertThat(((ConnectionResetException) in).remoteAddress()).isEqualTo(conn.remoteAddress());
        StepVerifier.create(Mono.fromFuture(send)).expectErrorSatisfies(e -> assertThat(e).isSameAs(in))
                .verify(VERIFY);
        StepVerifier.create(conn.onClose()).expectComplete().verify(VERIFY);
    }

    @Test
    public void aSecondInboundSubscriberIsRefused() throws Exception {
        DisposableServer server = bind(server());
        try (Socket ignored = rawClient(server.port())) {
            Connection conn = nextAccepted();
            conn.inbound().subscribe();
            StepVerifier.create(conn.inbound())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("already has a subscriber"))
                    .verify(VERIFY);
        }
    }

    // ------------------------------------------------------------------ close and dispose

    @Test
    public void gracefulCloseWritesPendingDataThenFinThenWaitsForThePeersFin() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = rawClient(server.port())) {
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
        try (Socket peer = rawClient(server.port())) {
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
        try (Socket peer = rawClient(server.port())) {
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
        try (Socket peer = rawClient(ok.port())) {
            assertThat(peer.getInputStream().readAllBytes()).isEqualTo("bye".getBytes());
            Thread.sleep(200);
            assertThat(ok.connections()).as("a graceful close waits for the peer's FIN").isEqualTo(1);
        }
        await(() -> ok.connections() == 0, VERIFY, "closed after the peer's FIN");

        DisposableServer failing = bind(server().handle(conn -> Mono.error(new IllegalStateException("boom"))));
        Socket client;
        try {
            client = rawClient(failing.port());
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
        try (Socket peer = rawClient(server.port())) {
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
        try (Socket polite = rawClient(server.port()); Socket silent = rawClient(server.port())) {
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

    // ------------------------------------------------------------------ addresses

    @Test
    public void localAndRemoteAddressesMatchOnBothSides() throws Exception {
        DisposableServer server = bind(server());
        Connection client = client(server).connectNow();
        Connection serverSide = nextAccepted();
        assertThat(client.remoteAddress()).isEqualTo(serverSide.localAddress());
        assertThat(serverSide.remoteAddress()).isEqualTo(client.localAddress());
        assertThat(serverSide.localAddress().getPort()).isEqualTo(server.port());
        client.dispose();
    }

    @Test
    public void acceptsSpreadOverEveryPort() throws Exception {
        // The handler runs on the accepted connection's port thread. (A send's first request may
        // be replayed on the subscribing thread, so the thread a send's source runs on proves nothing.)
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        DisposableServer server = bind(server().handle(conn -> {
            threads.add(Thread.currentThread().getName());
            return conn.send(Mono.just(Loopback.utf8("x")));
        }));
        List<Connection> clients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            clients.add(client(server).connectNow());
        }
        for (Connection c : clients) {
            StepVerifier.create(collect(c.inbound().take(1))).assertNext(b -> assertThat(b).hasSize(1))
                    .expectComplete().verify(VERIFY);
        }
        assertThat(server.accepted()).isEqualTo(40);
        assertThat(threads).allMatch(t -> !t.equals(Thread.currentThread().getName()));
        if (transport.ports().size() > 1) {
            assertThat(threads).as("port threads that served accepted connections").hasSizeGreaterThan(1);
        }
        clients.forEach(Connection::dispose);
        assertThat(Arrays.asList(server.backlog().cap())).containsExactly(1024);
    }

    // ------------------------------------------------------------------ edges found in review

    @Test
    public void inboundSignalsItsEndExactlyOnceWhenDataAndFinAreAlreadyWaiting() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            peer.getOutputStream().write("all at once".getBytes());
            peer.shutdownOutput();
            Thread.sleep(100);                       // data and FIN wait in the kernel
            List<String> signals = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> ended = new CompletableFuture<>();
            conn.inbound().subscribe(new reactor.core.CoreSubscriber<ByteBuffer>() {
                Subscription s;

                @Override
                public void onSubscribe(Subscription s) {
                    this.s = s;
                    s.request(Long.MAX_VALUE);       // may read, and see the FIN, inside this call
                }

                @Override
                public void onNext(ByteBuffer b) {
                    signals.add("next");
                }

                @Override
                public void onError(Throwable t) {
                    signals.add("error");
                    ended.complete(null);
                }

                @Override
                public void onComplete() {
                    signals.add("complete");
                    s.request(0);                    // a bad request after the end must not signal again
                    ended.complete(null);
                }
            });
            ended.get(10, TimeUnit.SECONDS);
            Thread.sleep(100);
            assertThat(signals).last().isEqualTo("complete");
            assertThat(signals).filteredOn(x -> !x.equals("next")).containsExactly("complete");
        }
    }

    @Test
    public void aSendCancelledBeforeItStartedDoesNotBlockLaterSendsOrClose() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            // zip cancels the send when the error arrives, before subscribing to it
            StepVerifier.create(Mono.zip(Mono.error(new IllegalStateException("first")),
                            conn.send(Mono.just(Loopback.utf8("never")))))
                    .expectErrorMessage("first").verify(VERIFY);
            StepVerifier.create(conn.send(Mono.just(Loopback.utf8("later")))).expectComplete().verify(VERIFY);
            byte[] got = new byte[5];
            new java.io.DataInputStream(peer.getInputStream()).readFully(got);
            assertThat(new String(got)).isEqualTo("later");
            assertThat(conn.sendCap().inUse()).isZero();
        }
    }

    @Test
    public void cancellingConnectsLeavesNoConnectionBehind() throws Exception {
        // The server reads, so it sees each client's close (reads are posted only against demand).
        DisposableServer server = bind(server().handle(conn -> conn.inbound().then()));
        List<Connection> delivered = new CopyOnWriteArrayList<>();
        // A connection that completes while subscribe(..).dispose() runs can reach the lambda
        // subscriber just after it was disposed; Reactor then drops it to onNextDropped, not to the
        // discard hooks, so it is the application's to close there, as any resource Reactor drops.
        reactor.core.publisher.Hooks.onNextDropped(o -> {
            if (o instanceof Connection c) {
                delivered.add(c);
            }
        });
        try {
            for (int i = 0; i < 20; i++) {
                client(server).connect().subscribe(delivered::add).dispose();
            }
            Thread.sleep(300);
        } finally {
            reactor.core.publisher.Hooks.resetOnNextDropped();
        }
        delivered.forEach(Connection::dispose);   // a connect that won the race is the subscriber's to close
        await(() -> server.connections() == 0, VERIFY, "every cancelled connect closed on the server side too");
    }

    @Test
    public void aSubscriberArrivingDuringACloseGetsNoMoreThanItAskedFor() throws Exception {
        DisposableServer server = bind(server().closeTimeout(Duration.ofSeconds(30)));
        try (Socket peer = rawClient(server.port())) {
            Connection conn = nextAccepted();
            conn.close().subscribe();
            OutputStream out = peer.getOutputStream();
            byte[] block = new byte[256 * 1024];
            for (int i = 0; i < 16; i++) {
                out.write(block);
            }
            AtomicInteger delivered = new AtomicInteger();
            conn.inbound().subscribe(new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription s) {
                    s.request(1);
                }

                @Override
                protected void hookOnNext(ByteBuffer b) {
                    delivered.incrementAndGet();
                }
            });
            Thread.sleep(300);
            assertThat(delivered.get()).as("onNext calls against a demand of one").isLessThanOrEqualTo(1);
        }
    }

    @Test
    public void closingTheTransportAnswersEveryConnectionAndServer() throws Exception {
        DisposableServer server = bind(server());
        Connection client = client(server).connectNow();
        Connection serverSide = nextAccepted();
        CompletableFuture<Void> clientClosed = client.onClose().toFuture();
        CompletableFuture<Void> serverClosed = serverSide.onClose().toFuture();
        CompletableFuture<Void> disposed = server.onDispose().toFuture();
        server.dispose();
        transport.close();
        clientClosed.get(10, TimeUnit.SECONDS);
        serverClosed.get(10, TimeUnit.SECONDS);
        disposed.get(10, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ after the end: cancels, late signals

    /**
     * Operators that cancel finished sources (zip, combineLatest, a subscriber cancelling in
     * onComplete) cancel a framed inbound after it completed; that cancel must not reach the
     * connection, so the reply the handler sends afterwards arrives whole.
     */
    @Test
    public void aFramedInboundCancelledAfterItCompletedLeavesTheReplyToArrive() throws Exception {
        DisposableServer server = bind(server().handle(conn -> {
            CancelsWhenComplete<String> lines = new CancelsWhenComplete<>();
            Strings.lines(conn.inbound(), 100).subscribe(lines);
            return Mono.fromFuture(lines.result).flatMap(l -> conn.sendString(Mono.just(l.size() + " lines\n")));
        }));
        try (Socket peer = rawClient(server.port())) {
            peer.getOutputStream().write("one\ntwo\n".getBytes());
            peer.shutdownOutput();
            assertThat(new String(peer.getInputStream().readAllBytes())).isEqualTo("2 lines\n");
        }
    }

    /** The same with Flux.zip, which cancels its finished source once another one has ended. */
    @Test
    public void zippingAFramedInboundLeavesTheReplyToArrive() throws Exception {
        DisposableServer server = bind(server().handle(conn ->
                Flux.zip(Frames.decodeLengthPrefixed(conn.inbound(), 1, 100), Flux.range(1, 10))
                        .count()
                        .flatMap(n -> conn.sendString(Mono.just(n + " frames\n")))));
        try (Socket peer = rawClient(server.port())) {
            peer.getOutputStream().write(new byte[] {1, 'a', 2, 'b', 'c'});
            peer.shutdownOutput();
            assertThat(new String(peer.getInputStream().readAllBytes())).isEqualTo("2 frames\n");
        }
    }

    /**
     * A handler's subscription ends with its connection, whatever closed it: an inner interval
     * that would run for good is cancelled, as Reactor Netty disposes a handler on channel close.
     */
    @Test
    public void aHandlersSubscriptionIsCancelledWhenItsConnectionCloses() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        List<Throwable> handlerErrors = new CopyOnWriteArrayList<>();
        DisposableServer server = bind(server().handle(conn -> Flux.interval(Duration.ofMillis(10))
                .doOnCancel(cancelled::countDown)
                .doOnError(handlerErrors::add)
                .then()));
        Connection client = client(server).connectNow();
        Connection serverSide = nextAccepted();
        serverSide.dispose();
        assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("the handler's interval cancelled").isTrue();
        assertThat(handlerErrors).isEmpty();
        client.dispose();
    }

    /** The handler is disposed after a normal completion too: nothing is cancelled twice or failed. */
    @Test
    public void aHandlerThatCompletedIsNotCancelledWhenItsConnectionCloses() throws Exception {
        AtomicInteger cancels = new AtomicInteger();
        DisposableServer server = bind(server().handle(conn -> conn.sendString(Mono.just("bye\n"))
                .doOnCancel(cancels::incrementAndGet)));
        try (Socket peer = rawClient(server.port())) {
            assertThat(new String(peer.getInputStream().readAllBytes())).isEqualTo("bye\n");
        }
        await(() -> server.connections() == 0, VERIFY, "the connection closed after the handler completed");
        assertThat(cancels.get()).isZero();
    }

    /** Whether the publisher has seen at least {@code n} requested, without failing the test. */
    private static boolean requestedAtLeast(TestPublisher<?> publisher, long n) {
        try {
            publisher.assertMinRequested(n);
            return true;
        } catch (AssertionError notYet) {
            return false;
        }
    }
}
