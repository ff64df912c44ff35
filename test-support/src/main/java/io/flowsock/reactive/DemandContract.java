package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Tunable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/**
 * Demand over real loopback sockets, for one backend: reads only against the subscriber's demand,
 * Automatic Burst Detection within recvBurst, sends at most sendCap ahead of writes, sends in order. Each backend subclasses it and supplies its transport, once over TCP and once over TLS ({@link LoopbackFixture#secured()}); a backend that cannot run here is skipped
 * with the reason in the subclass. Public, in flowsock-test-support, so a backend in another module
 * (io_uring) runs the same suite.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class DemandContract extends LoopbackFixture {
    // ------------------------------------------------------------------ inbound demand

    @Test
    public void readsStopWithoutDemandSoThePeerStallsAndResumeWhenRequested() throws Exception {
        DisposableServer server = bind(server());
        long total = 256L << 20;
        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> writer = new CompletableFuture<>();
        Socket peer = peer(server);
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
        try (Socket peer = peer(server)) {
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
        try (Socket peer = peer(server)) {
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
        try (Socket peer = peer(server)) {
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
        try (Socket peer = peer(server)) {
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
        try (Socket peer = peer(server)) {
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
