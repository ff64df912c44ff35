package io.flowsock.reactive;

import io.flowsock.core.ChannelOptions;
import io.flowsock.core.Tls;
import io.flowsock.core.Transport;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Level;

/**
 * What {@link TcpServer} and {@link TcpClient} configure alike: the connection tunables, the
 * timeouts, socket options and the transport. Immutable: every call returns a new instance and
 * checks its argument in the call.
 *
 * @param <T> the concrete builder
 */
public abstract sealed class TcpSettings<T extends TcpSettings<T>> permits TcpServer, TcpClient {
    final ChannelOptions channel;
    final Transport transport;   // absent: the shared transport, looked up at bind/connect time
    final Taps taps;             // the wiretap and the metrics, each off (null) by default

    TcpSettings(ChannelOptions channel, Transport transport, Taps taps) {
        this.channel = channel;
        this.transport = transport;
        this.taps = taps;
    }

    abstract T with(ChannelOptions channel, Transport transport, Taps taps);

    final T with(ChannelOptions channel, Transport transport) {
        return with(channel, transport, taps);
    }

    /** Cap on outbound buffers in flight per connection (IOCPSOCK's sendcap), >= 1. Default 16. */
    public T sendCap(int sendCap) {
        return with(channel.withSendCap(sendCap), transport);
    }

    /**
     * Cap of Automatic Burst Detection: receive buffers one read may fill (IOCPSOCK's recvburst),
     * >= 1; 1 is plain flow control. Default 16.
     */
    public T recvBurst(int recvBurst) {
        return with(channel.withRecvBurst(recvBurst), transport);
    }

    /** Closes a connection whose posted read sees no byte this long; zero (the default) disables. */
    public T readIdleTimeout(Duration timeout) {
        return with(channel.withReadIdleTimeout(timeout), transport);
    }

    /** Closes a connection whose write makes no progress this long; zero (the default) disables. */
    public T writeIdleTimeout(Duration timeout) {
        return with(channel.withWriteIdleTimeout(timeout), transport);
    }

    /** How long a graceful close may take before the connection is closed at once. Default 10 s. */
    public T closeTimeout(Duration timeout) {
        return with(channel.withCloseTimeout(timeout), transport);
    }

    /**
     * Sets a socket option on every connection, with the JDK's own keys, e.g.
     * {@code option(StandardSocketOptions.TCP_NODELAY, true)}. The value's type is checked here;
     * whether the platform supports the option is checked when connecting or accepting.
     */
    public <V> T option(SocketOption<V> option, V value) {
        if (option == java.net.StandardSocketOptions.SO_LINGER && value instanceof Integer i && i > 0) {
            throw new IllegalArgumentException("SO_LINGER must be 0 (abortive close) or unset, was " + i
                    + ": a positive linger makes close block a completion port thread");
        }
        return with(channel.withOption(option, value), transport);
    }

    /** {@code tls} for every connection, after checking that it is for this side (server or client). */
    T secured(Tls tls, boolean client) {
        Objects.requireNonNull(tls, "tls");
        if (tls.enabled() && tls.isClient() != client) {
            throw new IllegalArgumentException("secure(" + tls + ") on a " + (client ? "client" : "server")
                    + ": use Tls." + (client ? "client" : "server") + "(...)");
        }
        return with(channel.withTls(tls), transport);
    }

    /**
     * Logs every event of every connection (what IOCPSOCK called its trace feature): accept or
     * connect, each read posted (with the buffers Automatic Burst Detection chose) and completed,
     * each write posted and completed, tunable changes, half-close, close with its reason,
     * watchdogs and TLS handshake steps, with the bytes as a hex dump. Logged at DEBUG to the
     * category {@code io.flowsock.wiretap} through Reactor's {@code Loggers} (SLF4J when present,
     * else JDK logging). Off by default, and then it costs nothing: no observer is installed.
     */
    public T wiretap(boolean enable) {
        return enable ? wiretap("io.flowsock.wiretap", Level.FINE, WiretapFormat.HEX_DUMP)
                : with(channel, transport, taps.withWiretap(null));
    }

    /**
     * The wiretap to {@code category} at {@code level} (as {@code Flux.log} maps them: FINE and
     * CONFIG are debug, FINER and FINEST trace), logging the bytes as {@code format} says.
     */
    public T wiretap(String category, Level level, WiretapFormat format) {
        return with(channel, transport, taps.withWiretap(new Wiretap(category, level, format)));
    }

    /**
     * Records what every connection does as Micrometer meters in Micrometer's global registry
     * ({@code Metrics.globalRegistry}), as {@link #metrics(io.micrometer.core.instrument.MeterRegistry)}
     * does. Off by default, and then no observer is installed. Micrometer is an optional
     * dependency: {@code metrics(true)} without {@code io.micrometer:micrometer-core} on the path
     * fails here, naming it; {@code metrics(false)} never needs it.
     */
    public T metrics(boolean enable) {
        if (!enable) {
            return with(channel, transport, taps.withMetrics(null));
        }
        requireMicrometer();
        return with(channel, transport, taps.withMetrics(TcpMetrics.global(this instanceof TcpServer)));
    }

    /**
     * Records what every connection does into {@code registry}: connections opened, active and
     * closed (by outcome), bytes per read and per write, errors by type, accept failures, watchdog
     * closes, TLS handshake time, and the in-use side of sendcap, recvburst and backlog as
     * distributions. Names start {@code flowsock.tcp.server.} or {@code flowsock.tcp.client.};
     * docs/metrics.md lists them. No meter is tagged with an address. Every server (or client)
     * recording into one registry shares its meters.
     */
    public T metrics(io.micrometer.core.instrument.MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return with(channel, transport, taps.withMetrics(TcpMetrics.of(registry, this instanceof TcpServer)));
    }

    private static void requireMicrometer() {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry", false, TcpSettings.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("metrics(true) needs Micrometer: add io.micrometer:micrometer-core "
                    + "(1.16 or later) to the class path, or leave metrics off", e);
        }
    }

    /** The backend to run on; default {@link Transport#shared()}. */
    public T transport(Transport transport) {
        return with(channel, Objects.requireNonNull(transport, "transport"));
    }

    /** {@code timeout} if it is present and not negative; the messages match the core's checks. */
    static Duration notNegative(String name, Duration timeout) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + timeout);
        }
        return timeout;
    }

    /**
     * What every {@code bindNow}/{@code connectNow} does: blocks up to {@code timeout} (checked
     * positive) for {@code pending}; failures are rethrown as they are, and an empty result, which
     * a bind or connect never gives, is an {@code IllegalStateException} naming {@code what}.
     */
    static <T> T blockFor(reactor.core.publisher.Mono<T> pending, Duration timeout, String what) {
        T result = pending.block(positive("timeout", timeout));
        if (result == null) {
            throw new IllegalStateException(what + " completed without a result");
        }
        return result;
    }

    /** {@code timeout} if it is present and longer than zero: a blocking wait of zero can only fail. */
    static Duration positive(String name, Duration timeout) {
        if (notNegative(name, timeout).isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + timeout);
        }
        return timeout;
    }

    Transport transportOrShared() {
        return transport != null ? transport : Transport.shared();
    }

    /** The per-connection settings as configured, with the wiretap's and the metrics' observer when they are on. */
    public ChannelOptions channelOptions() {
        return taps.observer() == null ? channel : channel.withObserver(taps.observer());
    }
}
