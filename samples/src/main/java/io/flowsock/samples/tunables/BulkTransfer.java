package io.flowsock.samples.tunables;

import io.flowsock.core.Tunable;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpClient;
import io.flowsock.reactive.TcpServer;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * IOCPSOCK's FTPD-like setting at work: {@code backlog 10, sendcap 20, recvburst 20}, one client
 * sending a large file to a server that counts and discards it.
 *
 * <p>What it shows: Automatic Burst Detection raising the receive buffers posted per read while
 * the sender keeps them full (recvBurst inUse climbs above 1, never past its cap), the sender
 * keeping up to sendCap buffers in flight, and a live change: halfway through, the server
 * lowers its connection's recvBurst cap to 4 and the next reads post at most 4 buffers.
 *
 * <p>Two kinds of observation: a sample of both connections' (cap, inUse) pairs every period,
 * taken from a timer thread as any monitoring would; and the server's own reading of
 * recvBurst at each received buffer, which sees every ABD decision however short the transfer.
 */
final class BulkTransfer {
    /** The block the client sends, over and over; IOCPSOCK's FTPD wrote files in 64 KiB pieces. */
    static final int BLOCK = 64 * 1024;
    /** The recvBurst cap the server switches to halfway. */
    static final int LIVE_CAP = 4;

    /**
     * One sample of the transfer, taken every period.
     *
     * @param at          time since the transfer started
     * @param received    bytes the server had received
     * @param afterChange whether the live recvBurst change had already been made when sampled
     * @param recvBurst   the server connection's recvBurst (cap, inUse)
     * @param sendCap     the client connection's sendCap (cap, inUse)
     */
    record Sample(Duration at, long received, boolean afterChange, Tunable recvBurst, Tunable sendCap) {
    }

    /**
     * What the server's connection saw of recvBurst at each received buffer, in one phase.
     *
     * @param buffers  buffers received in the phase
     * @param cap      the recvBurst cap during the phase
     * @param maxInUse the most buffers a read was set to post
     */
    record Observed(int buffers, int cap, int maxInUse) {
    }

    /**
     * The transfer's outcome.
     *
     * @param bytes          bytes the server received (equal to what was sent)
     * @param elapsed        from the first send to the last byte received
     * @param samples        the timed samples, in order
     * @param beforeChange   recvBurst as the server saw it before the live change
     * @param afterChange    recvBurst as the server saw it after the live change
     * @param maxSendInUse   the client's sendCap inUse, read each time it asked for a buffer
     */
    record Result(long bytes, Duration elapsed, List<Sample> samples, Observed beforeChange, Observed afterChange,
                  int maxSendInUse) {
        double mibPerSecond() {
            return bytes / (1024.0 * 1024.0) / (elapsed.toNanos() / 1e9);
        }
    }

    private BulkTransfer() {
    }

    /**
     * Sends {@code bytes} (a multiple of {@link #BLOCK}) over loopback, printing each sample to
     * {@code out} as it is taken. Blocks the caller, which must not be a port thread, up to
     * {@code timeout}.
     */
    static Result run(long bytes, Duration period, Duration timeout, PrintStream out) {
        if (bytes < 2L * BLOCK || bytes % BLOCK != 0) {
            throw new IllegalArgumentException("bytes must be a multiple of " + BLOCK + " and at least two blocks, was "
                    + bytes);
        }
        Receiver receiver = new Receiver(bytes);
        DisposableServer server = TcpServer.create().host("127.0.0.1").port(0)
                .backlog(10).sendCap(20).recvBurst(20)
                .handle(receiver::receive)
                .bindNow(Duration.ofSeconds(10));
        try {
            // sendcap matters on the sending side: the client gets FTPD's 20 too.
            Connection client = TcpClient.create().host("127.0.0.1").port(server.port()).sendCap(20)
                    .connectNow(Duration.ofSeconds(10));
            AtomicInteger maxSendInUse = new AtomicInteger();
            byte[] block = new byte[BLOCK];
            // Each buffer is the connection's until its send ends, so each gets a fresh wrapper;
            // sharing the array is safe because the connection only reads it.
            Flux<ByteBuffer> file = Flux.range(0, (int) (bytes / BLOCK)).map(i -> {
                maxSendInUse.accumulateAndGet(client.sendCap().inUse(), Math::max);
                return ByteBuffer.wrap(block);
            });
            List<Sample> samples = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            Disposable sampling = Flux.interval(period, period).subscribe(i ->
                    receiver.sample(Duration.ofNanos(System.nanoTime() - start), client).ifPresent(s -> {
                samples.add(s);
                out.printf(Locale.ROOT, "  %5d ms %8.1f MiB  server recvBurst (%2d, %2d)%s  client sendCap (%2d, %2d)%n",
                        s.at().toMillis(), s.received() / 1048576.0, s.recvBurst().cap(), s.recvBurst().inUse(),
                        s.afterChange() ? "*" : " ", s.sendCap().cap(), s.sendCap().inUse());
            }));
            try {
                // Send, then FIN; the server's handler ends at our FIN and closes its side, which
                // completes our inbound. Reading inbound to its end (never cancelling it) lets the
                // connection close gracefully by itself, FIN both ways.
                Mono.when(client.send(file).then(client.shutdownOutput()), client.inbound().then())
                        .then(client.onClose())
                        .block(timeout);
                Duration elapsed = receiver.done.join();
                // done's completion publishes the port thread's plain fields to this thread.
                return new Result(receiver.received(), elapsed, List.copyOf(samples), receiver.before,
                        receiver.after, maxSendInUse.get());
            } finally {
                sampling.dispose();
                client.dispose();
            }
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    /**
     * The server side: counts and discards, lowers recvBurst halfway, notes what ABD chose.
     * The handler's methods run on the connection's port thread; {@link #sample} runs on a
     * timer thread.
     */
    private static final class Receiver {
        private final long expected;
        private final AtomicReference<Connection> conn = new AtomicReference<>();
        private final CompletableFuture<Duration> done = new CompletableFuture<>();
        private volatile long received;        // written on the port thread, read by sample()
        private volatile boolean changed;      // written on the port thread after the change, read by sample()
        private long startNanos;               // port thread only
        private Observed before = new Observed(0, 1, 0);   // port thread only, until done completes
        private Observed after = new Observed(0, 1, 0);    // port thread only, until done completes

        Receiver(long expected) {
            this.expected = expected;
        }

        Mono<Void> receive(Connection c) {
            if (!conn.compareAndSet(null, c)) {
                return Mono.error(new IllegalStateException("the bulk server takes one connection"));
            }
            startNanos = System.nanoTime();
            return c.inbound()
                    .doOnNext(b -> onBuffer(c, b.remaining()))
                    .then(Mono.fromRunnable(() -> done.complete(Duration.ofNanos(System.nanoTime() - startNanos))));
        }

        private void onBuffer(Connection c, int size) {
            long r = received + size;
            received = r;
            if (!changed && r >= expected / 2) {
                // Changed here, on the port thread between two reads, so no read with the old
                // count is posted: every read from now on obeys the new cap.
                c.recvBurst(LIVE_CAP);
                changed = true;
            }
            // During delivery no read is posted, so inUse is ABD's choice for the next read.
            Tunable t = c.recvBurst();
            if (changed) {
                after = observe(after, t);
            } else {
                before = observe(before, t);
            }
        }

        private static Observed observe(Observed o, Tunable t) {
            return new Observed(o.buffers() + 1, t.cap(), Math.max(o.maxInUse(), t.inUse()));
        }

        long received() {
            return received;
        }

        /** A sample once the server has its connection; empty before. */
        Optional<Sample> sample(Duration at, Connection client) {
            // Read the phase first: if the change was made by then, the pair read after it is the
            // new cap's, with no older read still posted.
            boolean afterChange = changed;
            long r = received;
            return Optional.ofNullable(conn.get())
                    .map(c -> new Sample(at, r, afterChange, c.recvBurst(), client.sendCap()));
        }
    }

    static String summary(Result r) {
        return String.format(Locale.ROOT, "FTPD-like: %d MiB in %d ms = %.0f MiB/s; recvBurst inUse up to %d of %d,"
                        + " then up to %d of %d after the live change; client sendCap inUse up to %d of 20",
                r.bytes() >> 20, r.elapsed().toMillis(), r.mibPerSecond(), r.beforeChange().maxInUse(),
                r.beforeChange().cap(), r.afterChange().maxInUse(), r.afterChange().cap(), r.maxSendInUse());
    }
}
