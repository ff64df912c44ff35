package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.randomBytes;
import static io.flowsock.reactive.Loopback.rawClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.ChannelOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * "A buffer delivered to a subscriber is the subscriber's for good", over real loopback sockets,
 * for one backend, and the two places where the engine lends its own receive buffers instead of
 * copying them: a connection sending its own inbound back (an echo), and Reactor's
 * ignore-elements subscriber ({@code inbound().then()}). Several connections share a port and its
 * receive memory in every test, so a buffer handed back too early is overwritten by another
 * connection's read and the bytes compared at the end differ. Echoes whose writes park on peers
 * that stop reading catch a loan given back before its write has finished, which an echo over
 * loopback, written at once, never shows.
 */
public abstract class BufferOwnershipContract extends LoopbackFixture {
    private static final int CONNECTIONS = 4;
    private static final int BYTES = 4 << 20;
    private static final int PARKED_CONNECTIONS = 2;
    private static final int PARKED_SEND_CAP = 2048;

    /** Writes {@code data} on a raw socket, half-closes, and returns all it reads back. */
    static CompletableFuture<byte[]> exchange(int port, byte[] data) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = rawClient(port)) {
                s.setSoTimeout(20_000);
                CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> readAll(s));
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < data.length; off += 32 * 1024) {
                    out.write(data, off, Math.min(32 * 1024, data.length - off));
                }
                s.shutdownOutput();
                return back.get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** One payload per connection, each with its own seed from {@code seed}. */
    private static List<byte[]> payloads(long seed) {
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            all.add(randomBytes(BYTES, seed + i));
        }
        return all;
    }

    /** One raw connection per payload, all at once. */
    private static List<CompletableFuture<byte[]>> exchangeAll(int port, List<byte[]> payloads) {
        List<CompletableFuture<byte[]>> all = new ArrayList<>();
        for (byte[] data : payloads) {
            all.add(exchange(port, data));
        }
        return all;
    }

    /** The bytes of {@code buffers} in order, each checked to be a heap buffer of the receiver's own. */
    private static byte[] joinOwned(Iterable<ByteBuffer> buffers, String why) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (ByteBuffer b : buffers) {
            assertThat(b.isDirect()).as(why).isFalse();
            all.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        }
        return all.toByteArray();
    }

    private static byte[] readAll(Socket s) {
        try {
            InputStream in = s.getInputStream();
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void echoesOfTheirOwnInboundOnSharedPortsReturnEveryByte() throws Exception {
        DisposableServer server = bind(server().handle(conn -> conn.send(conn.inbound())));
        List<byte[]> sent = payloads(40);
        List<CompletableFuture<byte[]>> back = exchangeAll(server.port(), sent);
        for (int i = 0; i < CONNECTIONS; i++) {
            assertThat(back.get(i).get(30, TimeUnit.SECONDS)).as("connection %d", i).isEqualTo(sent.get(i));
        }
    }

    /** Bulk writes, default recvBurst: reads of several buffers (io_uring: the port's scatter buffers). */
    @Test
    public void echoesParkedOnPeersThatStopReadingSendTheBytesTheyReceivedNotLaterOnes() throws Exception {
        parkedEchoes(ChannelOptions.DEFAULTS.recvBurst(), 4 << 20, 64 * 1024, 0);
    }

    /** 4 KiB writes, recvBurst 1: a read is one large provided buffer (io_uring: the large ring). */
    @Test
    public void echoesOfSingleBufferReadsParkedOnPeersThatStopReadingSendTheBytesTheyReceived() throws Exception {
        parkedEchoes(1, 2 << 20, 4 * 1024, 500_000);
    }

    /** 400-byte writes: reads stay on ABD's small rung (io_uring: the small ring's multishot receive). */
    @Test
    public void echoesOfTricklingPeersThatStopReadingSendTheBytesTheyReceived() throws Exception {
        parkedEchoes(1, 1600 * 400, 400, 300_000);
    }

    /**
     * Echoes whose writes park because their peers stop reading (a small SO_SNDBUF here, a small
     * SO_RCVBUF there), while the peers go on sending in writes of {@code chunk} bytes, paced by
     * {@code pauseNanos} so each read gets about one write. The reads that follow take receive
     * memory of the same port, so a loan given back before its parked write finished is filled
     * again with later bytes, and the write sends those. io_uring's rings hand a buffer out again
     * only after all the others (256 large, 1,024 small), hence a sendCap larger than that, and
     * enough reads to go round the ring while the writes wait. Then each peer reads everything
     * back and checks every byte against its position in the stream.
     */
    private void parkedEchoes(int recvBurst, int bytes, int chunk, long pauseNanos) throws Exception {
        DisposableServer server = bind(server().sendCap(PARKED_SEND_CAP).recvBurst(recvBurst)
                .option(StandardSocketOptions.SO_SNDBUF, 8 * 1024)
                .handle(conn -> conn.send(conn.inbound())));
        ExecutorService peers = Executors.newCachedThreadPool();
        try {
            List<Future<StalledPeer.Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < PARKED_CONNECTIONS; i++) {
                StalledPeer peer = new StalledPeer(server.port(), 90 + i, bytes, chunk, pauseNanos, peers);
                outcomes.add(peers.submit(peer::exchange));
            }
            for (int i = 0; i < PARKED_CONNECTIONS; i++) {
                StalledPeer.Outcome o = outcomes.get(i).get(60, TimeUnit.SECONDS);
                assertThat(o.wrong()).as("connection %d: bytes echoed that differ from those sent (first at %d)",
                        i, o.firstWrong()).isZero();
                assertThat(o.read()).as("connection %d: bytes echoed", i).isEqualTo(bytes);
            }
        } finally {
            peers.shutdownNow();
        }
    }

    @Test
    public void buffersKeptBySubscribersStillHoldTheirBytesAfterOtherConnectionsRead() throws Exception {
        ConcurrentLinkedQueue<List<ByteBuffer>> kept = new ConcurrentLinkedQueue<>();
        DisposableServer server = bind(server().handle(conn -> {
            List<ByteBuffer> mine = new ArrayList<>();
            kept.add(mine);
            return conn.inbound().doOnNext(mine::add).then();
        }));
        List<byte[]> sent = payloads(50);
        for (CompletableFuture<byte[]> d : exchangeAll(server.port(), sent)) {
            assertThat(d.get(30, TimeUnit.SECONDS)).isEmpty();
        }
        List<byte[]> received = new ArrayList<>();
        for (List<ByteBuffer> buffers : kept) {
            received.add(joinOwned(buffers, "a buffer the subscriber owns is on the heap"));
        }
        assertThat(received).hasSize(CONNECTIONS);
        for (byte[] data : sent) {
            assertThat(received).anySatisfy(r -> assertThat(r).isEqualTo(data));
        }
    }

    @Test
    public void thenReadsEverythingAndTheConnectionStillAnswers() throws Exception {
        DisposableServer server = bind(server().handle(conn -> conn.inbound().then()
                .then(conn.send(Mono.just(Loopback.utf8("done"))))));
        for (CompletableFuture<byte[]> d : exchangeAll(server.port(), payloads(60))) {
            assertThat(new String(d.get(30, TimeUnit.SECONDS), java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("done");
        }
    }

    @Test
    public void aDiscardHookAfterThenGetsBuffersOfItsOwn() throws Exception {
        ConcurrentLinkedQueue<ByteBuffer> discarded = new ConcurrentLinkedQueue<>();
        DisposableServer hooked = bind(server().handle(conn -> conn.inbound().then()
                .doOnDiscard(ByteBuffer.class, discarded::add)));
        DisposableServer lending = bind(server().handle(conn -> conn.inbound().then()));
        byte[] data = randomBytes(BYTES, 70);
        List<CompletableFuture<byte[]>> done = new ArrayList<>();
        done.add(exchange(hooked.port(), data));
        for (int i = 1; i < CONNECTIONS; i++) {
            done.add(exchange(lending.port(), randomBytes(BYTES, 70 + i)));
        }
        for (CompletableFuture<byte[]> d : done) {
            d.get(30, TimeUnit.SECONDS);
        }
        assertThat(joinOwned(discarded, "what a discard hook keeps is the hook's")).isEqualTo(data);
    }
}
