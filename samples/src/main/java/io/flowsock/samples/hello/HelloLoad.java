package io.flowsock.samples.hello;

import io.flowsock.reactive.TcpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs {@code concurrency} loops of hello exchanges, each on a new connection, until a deadline;
 * then reports what they achieved. Each loop starts its next exchange when the previous one ends,
 * so at most {@code concurrency} connections are open at once.
 *
 * <p>Every exchange is bounded: connects time out after {@link #EXCHANGE_TIMEOUT}, and so does
 * the rest of the exchange, so one stuck connection cannot hang the run. The run ends at most
 * about two timeouts after the deadline.
 *
 * <p><b>Threading.</b> The loops run on the connections' port threads and never block.
 * {@link #progress()} may be called from any thread.
 *
 * <p><b>Lifecycle.</b> {@link #run()} is lazy and may be subscribed once.
 */
public final class HelloLoad {
    /** Bound on a connect and, separately, on the rest of one exchange. */
    public static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(5);

    private final TcpClient client;
    private final int concurrency;
    private final Duration duration;
    private final AtomicBoolean started = new AtomicBoolean();
    // LongAdders: written by every loop's port thread, read by progress() on any thread; each
    // counter is a tally, so a read that misses a concurrent increment is still right a moment later.
    private final LongAdder exchanges = new LongAdder();
    private final LongAdder connectErrors = new LongAdder();
    private final LongAdder otherErrors = new LongAdder();
    private volatile long startNanos;   // written once by run() before any loop starts, read by progress()

    /**
     * @param client      where to connect (host and port set)
     * @param concurrency loops running at once, at least 1
     * @param duration    how long loops keep starting new exchanges, positive
     */
    public HelloLoad(TcpClient client, int concurrency, Duration duration) {
        this.client = Objects.requireNonNull(client, "client").connectTimeout(EXCHANGE_TIMEOUT);
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
        }
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
        this.concurrency = concurrency;
        this.duration = duration;
    }

    /** Runs the loops when subscribed and emits the result once every loop has stopped. */
    public Mono<HelloResult> run() {
        return Mono.defer(() -> {
            if (!started.compareAndSet(false, true)) {
                return Mono.error(new IllegalStateException("a HelloLoad runs once; create another"));
            }
            startNanos = System.nanoTime();
            long deadline = startNanos + duration.toNanos();
            return Flux.range(0, concurrency)
                    .flatMap(i -> Mono.defer(this::attempt).repeat(() -> System.nanoTime() < deadline), concurrency)
                    .then(Mono.fromSupplier(this::progress));
        });
    }

    /** How long loops keep starting new exchanges. */
    public Duration duration() {
        return duration;
    }

    /** The counts so far and the time since the run started (zero before it starts). */
    public HelloResult progress() {
        long start = startNanos;
        Duration elapsed = start == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - start);
        return new HelloResult(exchanges.sum(), connectErrors.sum(), otherErrors.sum(), elapsed);
    }

    /** One exchange on a new connection, counted; never fails, so the loop goes on. */
    private Mono<Void> attempt() {
        return client.connect()
                // The client's own connect timeout runs on the library's timer; this one, a little
                // longer, is the loop's guarantee that a lost completion cannot stall it.
                .timeout(EXCHANGE_TIMEOUT.plusSeconds(1))
                .onErrorResume(e -> {
                    connectErrors.increment();
                    return Mono.empty();
                })
                .flatMap(conn -> HelloClient.exchange(conn)
                        .timeout(EXCHANGE_TIMEOUT)
                        .doOnSuccess(v -> exchanges.increment())
                        .onErrorResume(e -> {
                            otherErrors.increment();
                            // A timeout cancels inbound, which already closes abortively; a wrong
                            // reply leaves the connection open. Dispose frees the socket either way.
                            conn.dispose();
                            return Mono.empty();
                        }));
    }
}
