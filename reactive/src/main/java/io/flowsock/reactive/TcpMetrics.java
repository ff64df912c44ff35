package io.flowsock.reactive;

import io.flowsock.core.Channel;
import io.flowsock.core.ChannelObserver;
import io.flowsock.core.Tunable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The metrics: what connections do, recorded as Micrometer meters named
 * {@code flowsock.tcp.server.*} or {@code flowsock.tcp.client.*} (docs/metrics.md has the table).
 * One instance per registry and side, so that every server (or client) recording into a registry
 * shares its meters, the active-connections gauge among them. No meter is tagged with an
 * address: a tag's values are a fixed set (outcomes, timeout names) or exception class names.
 *
 * <p>Only this class and {@link TcpSettings#metrics(MeterRegistry)} name Micrometer's types, and
 * neither is loaded unless metrics are turned on: flowsock runs without Micrometer on the path.
 * Meters are thread-safe; every event here runs on a connection's port thread and does not block.
 */
final class TcpMetrics implements ChannelObserver {
    private static final Map<MeterRegistry, TcpMetrics[]> SHARED = new WeakHashMap<>();

    private final MeterRegistry registry;
    private final String prefix;
    private final Counter opened;
    private final AtomicLong active = new AtomicLong();
    private final Counter closedGraceful;
    private final Counter closedReset;
    private final Counter closedError;
    private final DistributionSummary received;
    private final DistributionSummary sent;
    private final DistributionSummary sendCapInUse;
    private final DistributionSummary recvBurstInUse;
    private final DistributionSummary backlogInUse;   // server only
    private final Counter acceptFailures;             // server only
    private final Timer handshakeSucceeded;
    private final Timer handshakeFailed;
    private final Map<String, Counter> watchdogCloses = new ConcurrentHashMap<>();
    private final Map<Class<?>, Counter> errors = new ConcurrentHashMap<>();

    /** The metrics of {@code server}s (else clients) into {@code registry} (checked by the caller), shared by all of them. */
    static synchronized TcpMetrics of(MeterRegistry registry, boolean server) {
        TcpMetrics[] sides = SHARED.computeIfAbsent(registry, r -> new TcpMetrics[2]);
        int side = server ? 0 : 1;
        if (sides[side] == null) {
            sides[side] = new TcpMetrics(registry, server);
        }
        return sides[side];
    }

    /** Into Micrometer's global registry, as {@code metrics(true)} asks. */
    static TcpMetrics global(boolean server) {
        return of(Metrics.globalRegistry, server);
    }

    private TcpMetrics(MeterRegistry registry, boolean server) {
        this.registry = registry;
        this.prefix = server ? "flowsock.tcp.server." : "flowsock.tcp.client.";
        opened = Counter.builder(prefix + "connections.opened")
                .description("Connections " + (server ? "accepted" : "connected")).register(registry);
        Gauge.builder(prefix + "connections.active", active, AtomicLong::get)
                .description("Connections open now").register(registry);
        closedGraceful = closed("graceful");
        closedReset = closed("reset");
        closedError = closed("error");
        received = bytes("data.received", "Bytes each read brought in (plaintext under TLS)");
        sent = bytes("data.sent", "Bytes each write put out (plaintext under TLS)");
        sendCapInUse = buffers("sendcap.in.use", "Outbound buffers in flight when a write is posted");
        recvBurstInUse = buffers("recvburst.in.use", "Receive buffers each read posts (Automatic Burst Detection)");
        backlogInUse = server ? buffers("backlog.in.use", "Accepts still posted when one completes") : null;
        acceptFailures = server ? Counter.builder(prefix + "accept.failures")
                .description("Accepts that failed, or connections that could not be set up").register(registry) : null;
        handshakeSucceeded = handshake("success");
        handshakeFailed = handshake("failure");
    }

    private Counter closed(String outcome) {
        return Counter.builder(prefix + "connections.closed").tag("outcome", outcome)
                .description("Connections closed: graceful, reset (aborted), or by an error").register(registry);
    }

    private DistributionSummary bytes(String name, String description) {
        return DistributionSummary.builder(prefix + name).baseUnit("bytes").description(description).register(registry);
    }

    private DistributionSummary buffers(String name, String description) {
        return DistributionSummary.builder(prefix + name).baseUnit("buffers").description(description).register(registry);
    }

    private Timer handshake(String outcome) {
        return Timer.builder(prefix + "tls.handshake.time").tag("outcome", outcome)
                .description("TLS handshake time").register(registry);
    }

    // ------------------------------------------------------------------ events

    @Override
    public void opened(Channel channel, boolean accepted) {
        opened.increment();
        active.incrementAndGet();
    }

    @Override
    public void readPosted(Channel channel, int buffers) {
        recvBurstInUse.record(buffers);
    }

    @Override
    public void readCompleted(Channel channel, long bytes, ByteBuffer[] buffers, int count) {
        received.record(bytes);
    }

    @Override
    public void writePosted(Channel channel, ByteBuffer[] buffers, int offset, int length) {
        sendCapInUse.record(channel.sendCap().inUse());
    }

    @Override
    public void writeCompleted(Channel channel, long bytes) {
        sent.record(bytes);
    }

    @Override
    public void watchdogFired(Channel channel, String timeout, Duration limit) {
        watchdogCloses.computeIfAbsent(timeout, t -> Counter.builder(prefix + "watchdog.closes").tag("timeout", t)
                .description("Connections a watchdog closed, by the timeout that fired").register(registry))
                .increment();
    }

    @Override
    public void handshakeDone(Channel channel, long nanos, Throwable failure) {
        (failure == null ? handshakeSucceeded : handshakeFailed).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void closed(Channel channel, Throwable cause, boolean reset) {
        active.decrementAndGet();
        if (cause != null) {
            closedError.increment();
            error(cause);
        } else {
            (reset ? closedReset : closedGraceful).increment();
        }
    }

    @Override
    public void acceptCompleted(InetSocketAddress address, Tunable backlog) {
        if (backlogInUse != null) {
            backlogInUse.record(backlog.inUse());
        }
    }

    @Override
    public void acceptFailed(InetSocketAddress address, Throwable error) {
        if (acceptFailures != null) {
            acceptFailures.increment();
        }
    }

    /** A connect that failed, on a client: counted with the errors that closed connections. */
    void connectFailed(Throwable error) {
        error(error);
    }

    /** Counts {@code error} under its class's simple name: a bounded set, unlike messages or addresses. */
    private void error(Throwable error) {
        errors.computeIfAbsent(error.getClass(), c -> Counter.builder(prefix + "errors")
                .tag("type", c.getSimpleName().isEmpty() ? c.getName() : c.getSimpleName())
                .description("Connections closed by an error, and failed connects, by the error's type")
                .register(registry)).increment();
    }

    @Override
    public String toString() {
        return "TcpMetrics[" + prefix + "* into " + registry.getClass().getSimpleName() + "]";
    }
}
