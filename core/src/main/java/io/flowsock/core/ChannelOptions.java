package io.flowsock.core;

import io.flowsock.core.internal.Checks;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Per-connection settings: the two connection tunables, the watchdogs and the socket options.
 * Immutable; every {@code withXxx} returns a copy and checks its argument in the call.
 *
 * @param sendCap          outbound buffers in flight (requested and not yet fully written), >= 1
 * @param recvBurst        cap of Automatic Burst Detection: receive buffers one read may fill, >= 1;
 *                         1 turns ABD off (plain flow control)
 * @param firstByteTimeout an accepted connection that has received no byte this long after it was
 *                         accepted is closed and counted; zero disables. Clients ignore it.
 * @param readIdleTimeout  a posted read that sees no byte this long closes the connection; time
 *                         spent not reading because the subscriber gave no demand does not count;
 *                         zero disables
 * @param writeIdleTimeout a write that makes no progress this long (the peer stopped reading)
 *                         closes the connection; zero disables
 * @param closeTimeout     how long a graceful close may take (pending writes, FIN, waiting for the
 *                         peer's FIN) before the connection is closed at once
 * @param socketOptions    options applied to the socket, with the JDK's own keys
 * @param tls              TLS for the connection, {@link Tls#NONE} for plaintext
 * @param observer         told of everything the connection does (the wiretap's and the metrics'
 *                         hook), null for none; kept behind a guard that turns its exceptions
 *                         into an abortive close
 */
public record ChannelOptions(int sendCap, int recvBurst, Duration firstByteTimeout, Duration readIdleTimeout,
                             Duration writeIdleTimeout, Duration closeTimeout,
                             Map<SocketOption<?>, Object> socketOptions, Tls tls, ChannelObserver observer) {

    /** sendCap 16, recvBurst 16, firstByteTimeout 2 min, no idle timeouts, closeTimeout 10 s. */
    public static final ChannelOptions DEFAULTS = new ChannelOptions(16, 16, Duration.ofMinutes(2), Duration.ZERO,
            Duration.ZERO, Duration.ofSeconds(10), Map.of(), Tls.NONE, null);

    public ChannelOptions {
        Checks.positive("sendCap", sendCap);
        Checks.positive("recvBurst", recvBurst);
        Checks.notNegative("firstByteTimeout", firstByteTimeout);
        Checks.notNegative("readIdleTimeout", readIdleTimeout);
        Checks.notNegative("writeIdleTimeout", writeIdleTimeout);
        Checks.notNegative("closeTimeout", closeTimeout);
        Objects.requireNonNull(socketOptions, "socketOptions");
        socketOptions = Collections.unmodifiableMap(new LinkedHashMap<>(socketOptions));
        Objects.requireNonNull(tls, "tls");
        observer = ChannelObservers.guarded(observer);
    }

    public ChannelOptions withSendCap(int sendCap) {
        return new ChannelOptions(sendCap, recvBurst, firstByteTimeout, readIdleTimeout, writeIdleTimeout,
                closeTimeout, socketOptions, tls, observer);
    }

    public ChannelOptions withRecvBurst(int recvBurst) {
        return new ChannelOptions(sendCap, recvBurst, firstByteTimeout, readIdleTimeout, writeIdleTimeout,
                closeTimeout, socketOptions, tls, observer);
    }

    public ChannelOptions withFirstByteTimeout(Duration timeout) {
        return new ChannelOptions(sendCap, recvBurst, timeout, readIdleTimeout, writeIdleTimeout, closeTimeout,
                socketOptions, tls, observer);
    }

    public ChannelOptions withReadIdleTimeout(Duration timeout) {
        return new ChannelOptions(sendCap, recvBurst, firstByteTimeout, timeout, writeIdleTimeout, closeTimeout,
                socketOptions, tls, observer);
    }

    public ChannelOptions withWriteIdleTimeout(Duration timeout) {
        return new ChannelOptions(sendCap, recvBurst, firstByteTimeout, readIdleTimeout, timeout, closeTimeout,
                socketOptions, tls, observer);
    }

    public ChannelOptions withCloseTimeout(Duration timeout) {
        return new ChannelOptions(sendCap, recvBurst, firstByteTimeout, readIdleTimeout, writeIdleTimeout, timeout,
                socketOptions, tls, observer);
    }

    /** A copy with {@code option} set to {@code value}; the value's type is checked here. */
    public <T> ChannelOptions withOption(SocketOption<T> option, T value) {
        Map<SocketOption<?>, Object> copy = new LinkedHashMap<>(socketOptions);
        copy.put(Objects.requireNonNull(option, "option"), checkedOptionValue(option, value));
        return new ChannelOptions(sendCap, recvBurst, firstByteTimeout, readIdleTimeout, writeIdleTimeout,
                closeTimeout, copy, tls, observer);
    }

    /** TLS for the connection ({@link Tls#NONE}: plaintext). */
    public ChannelOptions withTls(Tls tls) {
        return new ChannelOptions(sendCap, recvBurst, firstByteTimeout, readIdleTimeout, writeIdleTimeout,
                closeTimeout, socketOptions, tls, observer);
    }

    /** The connection's observer ({@link ChannelObserver#both} composes several); null for none. */
    public ChannelOptions withObserver(ChannelObserver observer) {
        return new ChannelOptions(sendCap, recvBurst, firstByteTimeout, readIdleTimeout, writeIdleTimeout,
                closeTimeout, socketOptions, tls, observer);
    }

    /** Checks a socket option's value in the call: not null and of the option's type. */
    public static <T> T checkedOptionValue(SocketOption<T> option, T value) {
        Objects.requireNonNull(option, "option");
        if (value == null) {
            throw new IllegalArgumentException("value for " + option.name() + " must not be null");
        }
        if (!option.type().isInstance(value)) {
            throw new IllegalArgumentException("value for " + option.name() + " must be a "
                    + option.type().getSimpleName() + ", was " + value.getClass().getSimpleName() + " " + value);
        }
        if (value instanceof Integer i && i < 0 && !option.name().equals("SO_LINGER")) {
            throw new IllegalArgumentException(option.name() + " must be >= 0, was " + i);
        }
        return value;
    }
}
