package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static io.flowsock.reactive.Loopback.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Tunable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Cancellation over real loopback sockets, for one backend: cancelling inbound means no more input,
 * a cancel after a terminal signal does nothing, signals from other threads, and a handler's
 * subscription ending with its connection. Each backend subclasses it and supplies its transport, once over TCP and once over TLS ({@link LoopbackFixture#secured()}); a backend that cannot run here is skipped
 * with the reason in the subclass. Public, in flowsock-test-support, so a backend in another module
 * (io_uring) runs the same suite.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class CancellationContract extends LoopbackFixture {
    // ------------------------------------------------------------------ cancelling inbound: no more input

    @Test
    public void inboundNextThenFlatMapSendsTheWholeReplyThenFin() throws Exception {
        byte[] reply = randomBytes(256 * 1024, 40);
        DisposableServer server = bind(server().handle(c ->
                c.inbound().next().flatMap(first -> c.send(Mono.just(ByteBuffer.wrap(reply))))));
        try (Socket peer = peer(server)) {
            peer.setSoTimeout(20_000);
            peer.getOutputStream().write("hello".getBytes());
            assertThat(peer.getInputStream().readAllBytes()).as("the reply whole, then EOF").isEqualTo(reply);
        }
        await(() -> server.connections() == 0, VERIFY, "closed once the handler ended and the peer closed");
    }

    @Test
    public void afterCancellingInboundThePeersDataIsNotReadAndTheConnectionStillSends() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = peer(server)) {
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
            CancelsWhenComplete<ByteBuffer> cancelling = new CancelsWhenComplete<>();   // as Flux.zip does
            c.inbound().subscribe(cancelling);
            return Mono.fromFuture(cancelling.result).then(c.send(Mono.just(ByteBuffer.wrap(reply))));
        }));
        try (Socket peer = peer(server)) {
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
        try (Socket peer = peer(server)) {
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
        try (Socket peer = peer(server)) {
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


    /**
     * {@code Mono.just} sends waiting behind a send that has not ended: the one cancelled before
     * its turn is never written, the ones around it are, in order.
     */
    @Test
    public void aSingleBufferSendCancelledBeforeItsTurnIsNotWrittenAndTheNextOneIs() throws Exception {
        DisposableServer server = bind(server());
        try (Socket peer = peer(server)) {
            peer.setSoTimeout(20_000);
            Connection conn = nextAccepted();
            reactor.core.publisher.Sinks.Empty<ByteBuffer> gate = reactor.core.publisher.Sinks.empty();
            CompletableFuture<Void> open = conn.send(Flux.just(Loopback.utf8("open;")).concatWith(gate.asMono()))
                    .toFuture();
            CompletableFuture<Void> first = conn.send(Mono.just(Loopback.utf8("first;"))).toFuture();
            conn.send(Mono.just(Loopback.utf8("cancelled;"))).subscribe().dispose();
            CompletableFuture<Void> last = conn.send(Mono.just(Loopback.utf8("last"))).toFuture();
            java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
            byte[] head = new byte["open;".length()];
            in.readFully(head);
            assertThat(first).as("waits for the send before it to end").isNotDone();
            gate.tryEmitEmpty();
            byte[] tail = new byte["first;last".length()];
            in.readFully(tail);
            assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)
                    + new String(tail, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("open;first;last");
            CompletableFuture.allOf(open, first, last).get(20, TimeUnit.SECONDS);
            assertThat(conn.sendCap().inUse()).isZero();
            conn.dispose();
        }
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
        try (Socket peer = peer(server)) {
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
        try (Socket peer = peer(server)) {
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
        try (Socket peer = peer(server)) {
            assertThat(new String(peer.getInputStream().readAllBytes())).isEqualTo("bye\n");
        }
        await(() -> server.connections() == 0, VERIFY, "the connection closed after the handler completed");
        assertThat(cancels.get()).isZero();
    }
}
