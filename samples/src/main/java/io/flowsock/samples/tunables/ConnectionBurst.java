package io.flowsock.samples.tunables;

import io.flowsock.core.Tunable;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpClient;
import io.flowsock.reactive.TcpServer;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * IOCPSOCK's HTTPD-like setting at work: {@code backlog 500, sendcap 1, recvburst 1}, a burst of
 * short connections, each a tiny request and a tiny reply.
 *
 * <p>What it shows: the server's backlog pair during a connection storm (cap 500; inUse is the
 * accepts posted right now: on NIO.2, which allows one pending accept per server channel, one per
 * completion port, with the kernel's listen queue of 500 behind them), and that with recvBurst 1 each read posts a single buffer:
 * small messages gain nothing from more, and many connections would pin memory for nothing.
 *
 * <p>Each connection: the client connects, sends "ping", reads the 4 bytes of "pong" and closes
 * gracefully; the server replies once "ping" is in and its handler ends at the client's FIN.
 */
final class ConnectionBurst {
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "pong".getBytes(StandardCharsets.US_ASCII);
    private static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * One sample of the server during the burst.
     *
     * @param at       time since the burst started
     * @param backlog  the server's backlog (cap, inUse)
     * @param open     connections open on the server
     * @param accepted connections accepted so far
     */
    record Sample(Duration at, Tunable backlog, int open, long accepted) {
    }

    /**
     * The burst's outcome.
     *
     * @param connections    connections attempted
     * @param exchanges      connections that completed their exchange and closed gracefully
     * @param errors         connections that failed: connect, reset, short reply, timeout
     * @param elapsed        from the first connect to the last close
     * @param samples        the timed samples, in order
     * @param recvBurstCap   the recvBurst cap the server's connections had
     * @param maxRecvInUse   the most receive buffers any server connection's read was set to post
     */
    record Result(int connections, long exchanges, long errors, Duration elapsed, List<Sample> samples,
                  int recvBurstCap, int maxRecvInUse) {
        double perSecond() {
            return exchanges / (elapsed.toNanos() / 1e9);
        }
    }

    private ConnectionBurst() {
    }

    /**
     * Runs {@code connections} short connections, at most {@code maxOpen} at once, printing each
     * sample to {@code out}. Blocks the caller, which must not be a port thread, up to {@code timeout}.
     */
    static Result run(int connections, int maxOpen, Duration period, Duration timeout, PrintStream out) {
        AtomicInteger maxRecvInUse = new AtomicInteger();
        AtomicInteger recvCap = new AtomicInteger();
        DisposableServer server = TcpServer.create().host("127.0.0.1").port(0)
                .backlog(500).sendCap(1).recvBurst(1)
                .handle(conn -> serve(conn, maxRecvInUse, recvCap))
                .bindNow(Duration.ofSeconds(10));
        try {
            TcpClient client = TcpClient.create().host("127.0.0.1").port(server.port())
                    .sendCap(1).recvBurst(1).connectTimeout(EXCHANGE_TIMEOUT);
            AtomicLong exchanges = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            List<Sample> samples = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            Disposable sampling = Flux.interval(period, period).subscribe(i -> {
                Sample s = new Sample(Duration.ofNanos(System.nanoTime() - start), server.backlog(),
                        server.connections(), server.accepted());
                samples.add(s);
                out.printf(Locale.ROOT, "  %5d ms  server backlog (%d, %d)  open %3d  accepted %5d%n",
                        s.at().toMillis(), s.backlog().cap(), s.backlog().inUse(), s.open(), s.accepted());
            });
            try {
                Flux.range(0, connections)
                        .flatMap(i -> client.connect()
                                .timeout(EXCHANGE_TIMEOUT.plusSeconds(1))   // even if a completion is lost
                                .flatMap(conn -> exchange(conn).timeout(EXCHANGE_TIMEOUT)
                                        .doOnError(e -> conn.dispose()))
                                .doOnSuccess(v -> exchanges.incrementAndGet())
                                .onErrorResume(e -> {
                                    errors.incrementAndGet();
                                    return Mono.empty();
                                }), maxOpen)
                        .then()
                        .block(timeout);
            } finally {
                sampling.dispose();
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new Result(connections, exchanges.get(), errors.get(), elapsed, List.copyOf(samples),
                    recvCap.get(), maxRecvInUse.get());
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    /** The server side of one connection: reply "pong" once "ping" is in, end at the client's FIN. */
    private static Mono<Void> serve(Connection conn, AtomicInteger maxRecvInUse, AtomicInteger recvCap) {
        return Flux.defer(() -> {
            ByteCount ping = new ByteCount(PING.length);
            return conn.inbound()
                    // flatMap keeps demand on inbound, so what recvBurst reads below is what the next
                    // read will post (during delivery no read is posted). Under concatMap's
                    // one-at-a-time demand it would read 0: no demand, no read.
                    .flatMap(b -> {
                        Tunable burst = conn.recvBurst();
                        maxRecvInUse.accumulateAndGet(burst.inUse(), Math::max);
                        recvCap.set(burst.cap());
                        return ping.add(b) ? conn.send(Mono.fromSupplier(() -> ByteBuffer.wrap(PONG))) : Mono.empty();
                    })
                    .doOnComplete(ping::requireExact);
        }).then();
    }

    /** The client side: "ping", read "pong", close gracefully; completes once closed. */
    private static Mono<Void> exchange(Connection conn) {
        return Flux.defer(() -> {
            ByteCount pong = new ByteCount(PONG.length);
            return conn.send(Mono.fromSupplier(() -> ByteBuffer.wrap(PING)))
                    .thenMany(conn.inbound())
                    // flatMap keeps inbound's demand while close() waits for the server's FIN
                    // (concatMap would not request until close() completed: stuck until timeout).
                    .flatMap(b -> pong.add(b) ? conn.close() : Mono.empty())
                    .doOnComplete(pong::requireExact);
        }).then();
    }

    static String summary(Result r) {
        return String.format(Locale.ROOT, "HTTPD-like: %d connections in %d ms = %.0f connections/s, errors %d;"
                        + " recvBurst inUse up to %d of %d; backlog samples %s", r.exchanges(), r.elapsed().toMillis(),
                r.perSecond(), r.errors(), r.maxRecvInUse(), r.recvBurstCap(),
                r.samples().stream().map(s -> "(" + s.backlog().cap() + "," + s.backlog().inUse() + ")")
                        .distinct().toList());
    }
}
