package io.flowsock.core.spi;

import io.flowsock.core.Capabilities;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.internal.ChannelAccess;
import java.util.Objects;

/**
 * How a backend opens the core's {@link Channel} over its connected socket. Applications get
 * channels from a {@code Transport}, never from here.
 *
 * <p><b>Threading.</b> Call on {@code port}'s thread, once the socket is connected or accepted;
 * the channel's watchdogs start counting from this call.
 */
public final class ChannelFactory {
    private ChannelFactory() {
    }

    /**
     * A connection a listener accepted: the first-byte watchdog guards it, and every watchdog
     * close runs {@code onWatchdog} (a server counts them).
     */
    public static Channel accepted(CompletionPort port, SocketIo io, Capabilities caps, ChannelOptions options,
                                   Runnable onWatchdog) {
        Objects.requireNonNull(onWatchdog, "onWatchdog");
        return ChannelAccess.opener().open(port, io, caps, options, true, onWatchdog);
    }

    /** A connection a client connected: no first-byte watchdog and nobody counting watchdog closes. */
    public static Channel connected(CompletionPort port, SocketIo io, Capabilities caps, ChannelOptions options) {
        return ChannelAccess.opener().open(port, io, caps, options, false, () -> { });
    }
}
