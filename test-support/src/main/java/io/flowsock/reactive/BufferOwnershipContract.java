package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.randomBytes;
import static io.flowsock.reactive.Loopback.rawClient;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * "A buffer delivered to a subscriber is the subscriber's for good", over real loopback sockets,
 * for one backend, and the two places where the engine lends its own receive buffers instead of
 * copying them: a connection sending its own inbound back (an echo), and Reactor's
 * ignore-elements subscriber ({@code inbound().then()}). Several connections share a port and its
 * receive memory in every test, so a buffer handed back too early is overwritten by another
 * connection's read and the bytes compared at the end differ.
 */
public abstract class BufferOwnershipContract extends LoopbackFixture {
    private static final int CONNECTIONS = 4;
    private static final int BYTES = 4 << 20;

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
