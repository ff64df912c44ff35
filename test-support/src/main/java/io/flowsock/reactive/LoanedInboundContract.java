package io.flowsock.reactive;

import static io.flowsock.reactive.BufferOwnershipContract.exchange;
import static io.flowsock.reactive.Loopback.await;
import static io.flowsock.reactive.Loopback.randomBytes;
import static io.flowsock.reactive.Loopback.rawClient;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The loaned mode, {@code Connection.inbound(reader)}, over real loopback sockets for one backend:
 * every byte reaches the reader, the reader is shown the port's own memory read-only, demand
 * still drives the reads, and a reader's failure ends the flux, cancels the inbound and gives
 * the lent buffer back. The engine's copies are heap buffers, so a direct buffer seen by the
 * reader is the port's receive memory itself.
 */
public abstract class LoanedInboundContract extends LoopbackFixture {
    private static final int CONNECTIONS = 4;

    /** What the reader saw of one buffer. */
    record Seen(boolean direct, boolean readOnly, int bytes) {
    }

    /** A reader's failure, thrown on purpose. */
    static final class ReaderFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReaderFailure(String message) {
            super(message);
        }
    }

    /**
     * Receive buffers the backend's ports have out right now, where the backend can count them;
     * empty where it cannot (nio2 takes and gives back its buffers within one completion, and
     * keeps no count).
     */
    protected OptionalInt receiveBuffersOut() {
        return OptionalInt.empty();
    }

    /** "n crc" of what a reader summed and checksummed on the server, sent back once the peer's FIN came. */
    private static Mono<Void> countAndChecksum(Connection conn) {
        CRC32 crc = new CRC32();
        return conn.inbound(b -> {
            int n = b.remaining();
            crc.update(b);
            return n;
        }).reduce(0L, Long::sum).flatMap(n -> conn.sendString(Mono.just(n + " " + crc.getValue())));
    }

    private static String countAndChecksum(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return data.length + " " + crc.getValue();
    }

    @Test
    public void bytesReadInPlaceOnSharedPortsAddUpToWhatEveryPeerSent() throws Exception {
        DisposableServer server = bind(server().handle(LoanedInboundContract::countAndChecksum));
        List<byte[]> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            sent.add(randomBytes(16 << 20, 80 + i));
            replies.add(exchange(server.port(), sent.get(i)));
        }
        for (int i = 0; i < CONNECTIONS; i++) {
            assertThat(new String(replies.get(i).get(60, TimeUnit.SECONDS), StandardCharsets.US_ASCII))
                    .as("bytes and CRC-32 the reader saw on connection %d", i).isEqualTo(countAndChecksum(sent.get(i)));
        }
    }

    @Test
    public void theReaderIsShownThePortsOwnMemoryReadOnly() {
        byte[] data = randomBytes(8 << 20, 90);
        DisposableServer server = bind(server().handle(c -> c.send(chunks(data, 64 * 1024))));
        Connection conn = client(server).connectNow(Duration.ofSeconds(10));
        CRC32 crc = new CRC32();
        Mono<List<Seen>> seen = conn.inbound(b -> {
            Seen s = new Seen(b.isDirect(), b.isReadOnly(), b.remaining());
            crc.update(b);
            return s;
        }).collectList();
        StepVerifier.create(seen).assertNext(all -> {
            assertThat(all).as("buffers the reader saw").allSatisfy(s -> {
                assertThat(s.direct()).as("direct: the port's memory, not a copy").isTrue();
                assertThat(s.readOnly()).as("read-only").isTrue();
            });
            assertThat(all.stream().mapToLong(Seen::bytes).sum()).isEqualTo(data.length);
        }).expectComplete().verify(VERIFY);
        assertThat(countAndChecksumOf(data.length, crc)).isEqualTo(countAndChecksum(data));
        conn.dispose();
    }

    private static String countAndChecksumOf(long n, CRC32 crc) {
        return n + " " + crc.getValue();
    }

    @Test
    public void aReaderThatAsksForOneBufferSlowsThePeerUntilItAsksForMore() throws Exception {
        DisposableServer server = bind(server());
        long total = 128L << 20;
        AtomicLong written = new AtomicLong();
        try (Socket peer = rawClient(server.port())) {
            CompletableFuture<Void> writer = write(peer, total, written);
            Connection conn = nextAccepted();
            AtomicInteger calls = new AtomicInteger();
            AtomicLong read = new AtomicLong();
            StepVerifier.create(conn.inbound(b -> {
                calls.incrementAndGet();
                return read.addAndGet(b.remaining());
            }), 0)
                    .thenRequest(1)
                    .expectNextCount(1)
                    .then(() -> {
                        long stalled = awaitStall(written, total);
                        assertThat(stalled).as("bytes the peer wrote against a demand of one").isLessThan(64L << 20);
                        assertThat(calls.get()).as("reader calls against a demand of one").isEqualTo(1);
                        assertThat(conn.recvBurst().inUse()).as("no read posted without demand").isZero();
                    })
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(n -> true)
                    .expectComplete()
                    .verify(Duration.ofSeconds(60));
            writer.get(30, TimeUnit.SECONDS);
            assertThat(read.get()).isEqualTo(total);
        }
    }

    /** Writes {@code total} bytes in 64 KiB blocks from a thread of its own, then FIN. */
    private static CompletableFuture<Void> write(Socket peer, long total, AtomicLong written) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            byte[] block = new byte[64 * 1024];
            try {
                OutputStream out = peer.getOutputStream();
                while (written.get() < total) {
                    out.write(block);
                    written.addAndGet(block.length);
                }
                peer.shutdownOutput();
                done.complete(null);
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        }, "loaned-writer");
        t.start();
        return done;
    }

    /** Waits until the writer makes no progress for half a second (or is done); returns what it wrote. */
    private static long awaitStall(AtomicLong written, long total) {
        long now = written.get();
        for (int i = 0; i < 120; i++) {
            long last = now;
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            now = written.get();
            if (now == last || now >= total) {
                break;
            }
        }
        return now;
    }

    @Test
    public void aThrowingReaderEndsTheFluxWithItsOwnFailureAndTheConnectionStillSends() throws Exception {
        CompletableFuture<byte[]> serverGot = new CompletableFuture<>();
        DisposableServer server = bind(server().handle(c -> c.send(Mono.just(Loopback.utf8("hello")))
                .then(collect(c.inbound())).doOnNext(serverGot::complete).then()));
        Connection conn = client(server).connectNow(Duration.ofSeconds(10));
        ReaderFailure boom = new ReaderFailure("cannot parse");
        Queue<Object> resumedWith = new ConcurrentLinkedQueue<>();
        StepVerifier.create(conn.inbound(b -> {
            throw boom;
        }).onErrorContinue((e, v) -> resumedWith.add(v)))   // never given the lent buffer: it does not apply
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom)).verify(VERIFY);
        assertThat(resumedWith).isEmpty();

        assertThat(conn.isDisposed()).as("a failed reader cancels the inbound, not the connection").isFalse();
        StepVerifier.create(conn.send(Mono.just(Loopback.utf8("still sending"))).then(conn.shutdownOutput()))
                .expectComplete().verify(VERIFY);
        assertThat(new String(serverGot.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo("still sending");
        conn.dispose();
    }

    @Test
    public void aReaderThatReturnsNullOrTheLentBufferFailsSayingSo() {
        DisposableServer server = bind(server().handle(c -> c.send(Mono.just(Loopback.utf8("hello")))
                .then(c.onClose())));
        Connection nulls = client(server).connectNow(Duration.ofSeconds(10));
        StepVerifier.create(nulls.inbound(b -> null))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NullPointerException.class)
                        .hasMessageContaining("inbound reader").hasMessageContaining("returned null"))
                .verify(VERIFY);
        Connection keeper = client(server).connectNow(Duration.ofSeconds(10));
        StepVerifier.create(keeper.inbound(b -> b))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("returned the buffer it was lent"))
                .verify(VERIFY);
        nulls.dispose();
        keeper.dispose();
    }

    @Test
    public void theLoanedModeAndInboundShareTheOneSubscriber() throws Exception {
        DisposableServer server = bind(server());
        try (Socket ignored = rawClient(server.port())) {
            Connection conn = nextAccepted();
            conn.inbound(ByteBuffer::remaining).subscribe();
            StepVerifier.create(conn.inbound())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("already has a subscriber"))
                    .verify(VERIFY);
            StepVerifier.create(conn.inbound(ByteBuffer::remaining))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class))
                    .verify(VERIFY);
        }
    }

    /**
     * Peers of one server whose reader throws once it has seen 512 KiB: those that send 1 MiB get
     * their connection closed, those that send 256 KiB at the same time get their answer, and once
     * all are closed every receive buffer is back in the ports' hands (where the backend counts
     * them). One buffer per read, so that the reads come from the rings a leak would drain.
     */
    @Test
    public void aReaderThatThrowsClosesItsConnectionGivesItsBufferBackAndTheServerServesOthers() throws Exception {
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        DisposableServer server = bind(server().recvBurst(1).handle(conn -> {
            AtomicLong seen = new AtomicLong();
            return conn.inbound(b -> {
                if (seen.addAndGet(b.remaining()) > 512 * 1024) {
                    throw new ReaderFailure("seen more than 512 KiB");
                }
                return b.remaining();
            }).reduce(0L, Long::sum).flatMap(n -> conn.sendString(Mono.just("got " + n))).doOnError(errors::add);
        }));
        int failing = 8;
        List<CompletableFuture<byte[]>> failed = new ArrayList<>();
        List<CompletableFuture<byte[]>> served = new ArrayList<>();
        for (int i = 0; i < failing; i++) {
            failed.add(exchange(server.port(), randomBytes(1 << 20, 100 + i)));
            if (i % 2 == 0) {
                served.add(exchange(server.port(), randomBytes(256 * 1024, 200 + i)));
            }
        }
        for (CompletableFuture<byte[]> f : failed) {
            // closed at once: the peer reads nothing, or a reset
            byte[] got = f.handle((b, e) -> e != null ? new byte[0] : b).get(30, TimeUnit.SECONDS);
            assertThat(got).as("what a peer whose reader failed got back").isEmpty();
        }
        for (CompletableFuture<byte[]> s : served) {
            assertThat(new String(s.get(30, TimeUnit.SECONDS), StandardCharsets.US_ASCII)).isEqualTo("got " + (256 * 1024));
        }
        assertThat(errors).hasSize(failing).allSatisfy(e -> assertThat(e).isInstanceOf(ReaderFailure.class));
        await(() -> accepted.stream().allMatch(Connection::isDisposed), VERIFY, "every connection closed");
        if (receiveBuffersOut().isPresent()) {
            await(() -> receiveBuffersOut().getAsInt() == 0, VERIFY, "every receive buffer back at its port");
        }
        assertThat(server.accepted()).isEqualTo(failing + served.size());
    }
}
