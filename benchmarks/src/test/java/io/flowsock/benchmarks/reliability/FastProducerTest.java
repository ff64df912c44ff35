package io.flowsock.benchmarks.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.benchmarks.Protocol;
import io.flowsock.benchmarks.load.Pattern;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Fast producer: a Publisher that never ends (64 KiB buffers, each a fresh array, for as long as
 * it is asked) sent by a flowsock connection to a peer that reads slowly. flowsock asks the
 * Publisher for no more than sendCap buffers beyond those fully written, so what it holds stays
 * within sendCap buffers however far ahead the producer could run; cancelling ends it all.
 */
@SlowLoad
class FastProducerTest {
    static final int SEND_CAP = 16;
    static final long SEND_HOLD = SEND_CAP * (long) Protocol.CHUNK;
    /** Heap the JVM may gain besides: Reactor's and the JDK's own bookkeeping, measured as noise. */
    static final long HEAP_SLACK = 8L << 20;
    /** What loopback TCP itself may hold: the sender's and receiver's socket buffers. */
    static final long KERNEL_BUFFERS = 32L << 20;
    static final Duration SLOW_PHASE = Duration.ofSeconds(4);

    private static final Pattern PATTERN = new Pattern(Protocol.CHUNK);

    @Test
    void anEndlessPublisherToASlowReaderIsHeldToSendCapBuffersAndEndsWhenCancelled() throws Exception {
        CompletableFuture<Producer> producer = new CompletableFuture<>();
        DisposableServer server = LoopbackServer.bind(TcpServer.create().sendCap(SEND_CAP).handle(conn -> {
            Producer p = new Producer(conn);
            producer.complete(p);
            return conn.send(p.flux());
        }));
        try {
            Footprint before = Footprint.quiet(server, Duration.ofSeconds(10));
            long heapBefore = SlowConsumerTest.usedHeapAfterGc();
            long mismatchAt = -1;
            long read = 0;
            int maxInUse = 0;
            long heapGrowth;
            long emittedSlow;
            try (Socket reader = new Socket()) {
                reader.setReceiveBufferSize(256 * 1024);
                reader.connect(new InetSocketAddress(Protocol.HOST, server.port()), 5_000);
                reader.setSoTimeout(10_000);
                Producer p = producer.get(10, TimeUnit.SECONDS);
                InputStream in = reader.getInputStream();
                byte[] buf = new byte[Protocol.CHUNK];
                byte[] expected = PATTERN.bytes();
                long slowEnd = System.nanoTime() + SLOW_PHASE.toNanos();
                while (System.nanoTime() < slowEnd) {   // 64 KiB every 10 ms at the most: ~6 MiB/s
                    int n = in.read(buf);
                    if (n < 0) {
                        throw new IOException("EOF from a producer that never ends, after " + read + " bytes");
                    }
                    int at = Pattern.offset(read);
                    int m = Arrays.mismatch(buf, 0, n, expected, at, at + n);
                    if (m >= 0 && mismatchAt < 0) {
                        mismatchAt = read + m;
                    }
                    read += n;
                    maxInUse = Math.max(maxInUse, p.conn.sendCap().inUse());
                    Thread.sleep(10);
                }
                emittedSlow = p.emitted.get() * Protocol.CHUNK;
                heapGrowth = SlowConsumerTest.usedHeapAfterGc() - heapBefore;

                assertThat(p.maxInFlight.get()).as("buffers requested from the Publisher and not yet fully written")
                        .isBetween(1, SEND_CAP);
                assertThat(maxInUse).as("sendCap in use, sampled").isLessThanOrEqualTo(SEND_CAP);
                assertThat(emittedSlow - read).as("bytes produced and not yet read: TCP's buffers and sendCap buffers")
                        .isLessThan(KERNEL_BUFFERS + SEND_HOLD);
                assertThat(heapGrowth).as("heap grown while the reader was slow (bound: sendCap x 64 KiB + slack)")
                        .isLessThan(SEND_HOLD + HEAP_SLACK);
                assertThat(mismatchAt).as("stream offset of the first byte that differs from what was produced")
                        .isEqualTo(-1);

                p.conn.dispose();   // the user's way to stop an endless send
                p.cancelled.get(10, TimeUnit.SECONDS);
                assertThat(p.conn.onClose().toFuture()).succeedsWithin(Duration.ofSeconds(10));
            }
            Footprint after = Footprint.assertBackTo(before, server, Duration.ofSeconds(20));
            System.out.printf("fast producer: %d MiB produced and %d MiB read in %d s, at most %d buffers in flight"
                            + " (sendCap %d), heap growth %.1f MiB (bound %.1f MiB), cancelled on dispose; fds %d -> %d,"
                            + " threads %d -> %d%n", emittedSlow >> 20, read >> 20, SLOW_PHASE.toSeconds(),
                    producer.get().maxInFlight.get(), SEND_CAP, heapGrowth / 1048576.0,
                    (SEND_HOLD + HEAP_SLACK) / 1048576.0, before.fds().size(), after.fds().size(),
                    before.threads().size(), after.threads().size());
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    /**
     * The endless Publisher and its books. flowsock writes each buffer from its position and
     * requests more only after writes complete, so at each request the buffers it has fully
     * written are the emitted ones with nothing remaining, in order from the oldest.
     */
    static final class Producer {
        final Connection conn;
        final AtomicLong emitted = new AtomicLong();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final CompletableFuture<Void> cancelled = new CompletableFuture<>();
        private final ConcurrentLinkedQueue<ByteBuffer> unwritten = new ConcurrentLinkedQueue<>();
        private long requested;   // only in doOnRequest, which flowsock calls from one thread at a time
        private long written;

        Producer(Connection conn) {
            this.conn = conn;
        }

        Flux<ByteBuffer> flux() {
            byte[] pattern = PATTERN.bytes();
            return Flux.<ByteBuffer, Long>generate(() -> 0L, (pos, sink) -> {
                        int at = Pattern.offset(pos);
                        ByteBuffer b = ByteBuffer.wrap(Arrays.copyOfRange(pattern, at, at + Protocol.CHUNK));
                        unwritten.add(b);
                        emitted.incrementAndGet();
                        sink.next(b);
                        return pos + Protocol.CHUNK;
                    })
                    .doOnRequest(this::requested)
                    .doOnCancel(() -> cancelled.complete(null));
        }

        private void requested(long n) {
            for (ByteBuffer head = unwritten.peek(); head != null && !head.hasRemaining(); head = unwritten.peek()) {
                unwritten.poll();
                written++;
            }
            requested = n == Long.MAX_VALUE ? Long.MAX_VALUE : requested + n;
            maxInFlight.accumulateAndGet((int) Math.min(Integer.MAX_VALUE, requested - written), Math::max);
        }
    }
}
