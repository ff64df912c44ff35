package io.flowsock.benchmarks.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.benchmarks.ProcStats;
import io.flowsock.benchmarks.Protocol;
import io.flowsock.benchmarks.load.Pattern;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Slow consumer: a peer sends 1 GiB as fast as it can to a server whose subscriber asks for one
 * buffer at a time with a pause after each. While the subscriber is slow, flowsock reads only
 * against demand, so what it holds stays within recvBurst buffers and the sender is stalled by
 * TCP; then the subscriber drains at full speed and every byte must arrive, in order.
 */
@SlowLoad
class SlowConsumerTest {
    static final long TOTAL = 1L << 30;
    static final int RECV_BURST = 16;
    /** What flowsock's receive side may hold at once: recvBurst posted buffers of 64 KiB. */
    static final long RECEIVE_HOLD = RECV_BURST * 64L * 1024;
    /** Heap the JVM may gain besides: Reactor's and the JDK's own bookkeeping, measured as noise. */
    static final long HEAP_SLACK = 8L << 20;
    /** What loopback TCP itself may hold: the sender's and receiver's socket buffers (a few MiB each). */
    static final long KERNEL_BUFFERS = 32L << 20;
    static final Duration SLOW_PHASE = Duration.ofSeconds(4);
    static final long PAUSE_MS = 20;

    private static final Pattern PATTERN = new Pattern(Protocol.CHUNK);
    /** Where the pauses are timed; started before the baseline, so its thread is part of it. */
    private static final Scheduler PAUSES = Schedulers.newSingle("slow-consumer-pauses");

    @Test
    void aSlowSubscriberStallsAOneGibibyteSenderAndStillReceivesEveryByte() throws Exception {
        CompletableFuture<SlowSubscriber> subscriber = new CompletableFuture<>();
        DisposableServer server = LoopbackServer.bind(TcpServer.create().recvBurst(RECV_BURST).handle(conn -> {
            SlowSubscriber s = new SlowSubscriber(conn);
            conn.inbound().subscribe(s);
            subscriber.complete(s);
            return Mono.fromFuture(s.done);
        }));
        try {
            Mono.delay(Duration.ofMillis(1), PAUSES).block();   // starts the scheduler's thread
            Footprint before = Footprint.quiet(server, Duration.ofSeconds(10));
            long heapBefore = usedHeapAfterGc();
            Sender sender = new Sender(server.port());
            sender.start();
            SlowSubscriber s = subscriber.get(10, TimeUnit.SECONDS);

            long slowEnd = System.nanoTime() + SLOW_PHASE.toNanos();
            int maxPosted = 0;
            long maxHeld = 0;
            for (int i = 0; System.nanoTime() < slowEnd; i++) {
                maxPosted = Math.max(maxPosted, s.conn.recvBurst().inUse());
                if (i % 10 == 0) {
                    maxHeld = Math.max(maxHeld, heldByFlowsock(server.port(), sender, s));
                }
                Thread.sleep(10);
            }
            long sentSlow = sender.written.get();
            long receivedSlow = s.received.get();
            long heapGrowth = usedHeapAfterGc() - heapBefore;
            Thread.sleep(500);
            long sentLater = sender.written.get();
            long receivedLater = s.received.get();

            assertThat(s.delivered.get()).as("buffers delivered against buffers requested")
                    .isLessThanOrEqualTo(s.requested.get());
            assertThat(maxPosted).as("receive buffers posted at once against a demand of one").isLessThanOrEqualTo(1);
            assertThat(maxHeld).as("bytes flowsock held, read from the socket and not yet delivered (bound: recvBurst"
                    + " x 64 KiB)").isLessThanOrEqualTo(RECEIVE_HOLD);
            assertThat(sentSlow).as("bytes the sender wrote while the subscriber was slow (of 1 GiB)")
                    .isLessThan(TOTAL / 16);
            assertThat(sentSlow - receivedSlow).as("bytes written and not yet delivered: TCP's buffers hold them")
                    .isLessThan(KERNEL_BUFFERS);
            assertThat(sentLater - sentSlow).as("sender progress over 0.5 s: no more than the subscriber took plus"
                    + " TCP's window").isLessThanOrEqualTo(receivedLater - receivedSlow + KERNEL_BUFFERS / 4);
            assertThat(heapGrowth).as("heap grown while the subscriber was slow (bound: recvBurst x 64 KiB + slack)")
                    .isLessThan(RECEIVE_HOLD + HEAP_SLACK);

            s.fast();
            sender.done.get(90, TimeUnit.SECONDS);
            s.done.get(30, TimeUnit.SECONDS);
            assertThat(s.mismatchAt.get()).as("stream offset of the first byte that differs from what was sent")
                    .isEqualTo(-1);
            assertThat(s.received.get()).as("bytes received").isEqualTo(TOTAL);
            Footprint after = Footprint.assertBackTo(before, server, Duration.ofSeconds(20));
            System.out.printf("slow consumer: %d MiB sent, %d MiB written by the sender during the %d s slow phase"
                            + " (%d MiB consumed), at most %d KiB held by flowsock (bound %d KiB), heap growth %.1f MiB"
                            + " (bound %.1f MiB), all 1 GiB intact; fds %d -> %d, threads %d -> %d%n", TOTAL >> 20,
                    sentSlow >> 20, SLOW_PHASE.toSeconds(), receivedSlow >> 20, maxHeld >> 10, RECEIVE_HOLD >> 10,
                    heapGrowth / 1048576.0, (RECEIVE_HOLD + HEAP_SLACK) / 1048576.0,
                    before.fds().size(), after.fds().size(), before.threads().size(), after.threads().size());
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
            PAUSES.dispose();
        }
    }

    /**
     * Bytes the sender wrote that are neither delivered to the subscriber nor queued in the kernel
     * (the sender's unacknowledged bytes, the server socket's unread ones): what flowsock holds.
     * Loopback acknowledges as it queues, so little is counted twice; that errs towards less.
     */
    private static long heldByFlowsock(int serverPort, Sender sender, SlowSubscriber s) {
        long written = sender.written.get();
        long kernel = 0;
        for (ProcStats.TcpSocket t : ProcStats.tcpSockets(serverPort)) {
            if (t.remotePort() == sender.localPort) {
                kernel += t.rxQueue();
            }
        }
        for (ProcStats.TcpSocket t : ProcStats.tcpSockets(sender.localPort)) {
            if (t.remotePort() == serverPort) {
                kernel += t.txQueue();
            }
        }
        // delivered is read last: bytes that left the kernel while it was being read are counted there
        return Math.max(0, written - kernel - s.received.get());
    }

    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Requests one buffer, then one more 20 ms after each arrives; checks every byte against the pattern. */
    static final class SlowSubscriber extends BaseSubscriber<ByteBuffer> {
        final Connection conn;
        final AtomicLong requested = new AtomicLong();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final AtomicLong mismatchAt = new AtomicLong(-1);
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile boolean fast;   // written by the test thread, read on the port thread

        SlowSubscriber(Connection conn) {
            this.conn = conn;
        }

        void fast() {
            fast = true;
            request(Long.MAX_VALUE);
        }

        @Override
        protected void hookOnSubscribe(Subscription s) {
            requested.incrementAndGet();
            s.request(1);
        }

        @Override
        protected void hookOnNext(ByteBuffer b) {
            delivered.incrementAndGet();
            check(b);
            if (!fast) {
                PAUSES.schedule(() -> {
                    requested.incrementAndGet();
                    request(1);
                }, PAUSE_MS, TimeUnit.MILLISECONDS);
            }
        }

        /** Compares {@code b} with the pattern at the stream's offset, a chunk at a time. */
        private void check(ByteBuffer b) {
            byte[] expected = PATTERN.bytes();
            byte[] got = new byte[b.remaining()];
            b.get(got);
            long pos = received.get();
            for (int off = 0; off < got.length && mismatchAt.get() < 0; off += Protocol.CHUNK) {
                int len = Math.min(Protocol.CHUNK, got.length - off);
                int at = Pattern.offset(pos + off);
                int m = Arrays.mismatch(got, off, off + len, expected, at, at + len);
                if (m >= 0) {
                    mismatchAt.set(pos + off + m);
                }
            }
            received.addAndGet(got.length);
        }

        @Override
        protected void hookOnComplete() {
            done.complete(null);
        }

        @Override
        protected void hookOnError(Throwable t) {
            done.completeExceptionally(t);
        }
    }

    /** A plain JDK socket writing 1 GiB of the pattern in 64 KiB writes, then FIN, then waiting for EOF. */
    static final class Sender extends Thread {
        final AtomicLong written = new AtomicLong();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile int localPort;   // set once connected, before the first write
        private final int port;

        Sender(int port) {
            super("slow-consumer-sender");
            setDaemon(true);
            this.port = port;
        }

        @Override
        public void run() {
            byte[] data = PATTERN.bytes();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(Protocol.HOST, port), 5_000);
                localPort = s.getLocalPort();
                s.setSoTimeout(60_000);
                OutputStream out = s.getOutputStream();
                for (long sent = 0; sent < TOTAL; ) {
                    int len = (int) Math.min(Protocol.CHUNK, TOTAL - sent);
                    out.write(data, Pattern.offset(sent), len);
                    sent += len;
                    written.set(sent);
                }
                s.shutdownOutput();
                InputStream in = s.getInputStream();
                int next = in.read();
                if (next != -1) {
                    throw new IOException("the server sent byte " + next + " instead of EOF");
                }
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
    }
}
