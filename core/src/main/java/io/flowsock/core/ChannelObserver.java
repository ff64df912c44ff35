package io.flowsock.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * What a connection does, told as it happens: the hook under flowsock's wiretap and metrics, open
 * to anyone who wants to watch. Set with {@link ChannelOptions#withObserver}; there is none by
 * default, and then no event is made at all (one null check where each would be).
 *
 * <p><b>Threading.</b> Every method runs on the connection's port thread, in the order the events
 * happen, and must not block. An observer that throws closes the connection abortively with its
 * exception, as a handler that throws does.
 *
 * <p><b>Buffers.</b> The buffers an event shows are the connection's: read their bytes between
 * position and limit with absolute gets or a {@link ByteBuffer#duplicate() duplicate}; never
 * change them or keep them past the call.
 *
 * <p>Under TLS, reads and writes are the plaintext the application sees; the handshake has its
 * own events.
 */
public interface ChannelObserver {

    /** The connection is set up: accepted by a listener, or connected by a client. */
    default void opened(Channel channel, boolean accepted) {
    }

    /** A read is posted for {@code buffers} receive buffers: Automatic Burst Detection's choice. */
    default void readPosted(Channel channel, int buffers) {
    }

    /** A read brought {@code bytes} in the first {@code count} of {@code buffers}, before they are delivered. */
    default void readCompleted(Channel channel, long bytes, ByteBuffer[] buffers, int count) {
    }

    /** The peer sent FIN (or TLS close_notify): no more input. */
    default void inputEnded(Channel channel) {
    }

    /** A write is posted of {@code length} buffers of {@code buffers} from {@code offset}. */
    default void writePosted(Channel channel, ByteBuffer[] buffers, int offset, int length) {
    }

    /** A posted write completed having written {@code bytes}. */
    default void writeCompleted(Channel channel, long bytes) {
    }

    /** {@code tunable} ("sendcap" or "recvburst") was given a new cap. */
    default void tunableChanged(Channel channel, String tunable, int cap) {
    }

    /** FIN went out (after TLS close_notify): a half-close, or the first step of a graceful close. */
    default void outputShut(Channel channel) {
    }

    /** A watchdog closes the connection: {@code timeout} names its option, {@code limit} its setting. */
    default void watchdogFired(Channel channel, String timeout, Duration limit) {
    }

    /** The TLS handshake moved on: {@code step} is "started", "tasks" or the engine's next status. */
    default void handshakeStep(Channel channel, String step) {
    }

    /** The TLS handshake ended after {@code nanos}: {@code failure} is null when it succeeded. */
    default void handshakeDone(Channel channel, long nanos, Throwable failure) {
    }

    /**
     * The connection is closed and every pending operation answered: {@code cause} is what closed
     * it (null for a graceful close or a dispose), {@code reset} whether it was closed with RST.
     */
    default void closed(Channel channel, Throwable cause, boolean reset) {
    }

    /**
     * A listener on {@code address} accepted a connection (told after the connection's
     * {@link #opened}): {@code backlog} is its backlog tunable then, the accepts still posted.
     */
    default void acceptCompleted(InetSocketAddress address, Tunable backlog) {
    }

    /** A listener on {@code address} failed to accept or to set up a connection, and goes on accepting. */
    default void acceptFailed(InetSocketAddress address, Throwable error) {
    }

    /** An observer telling {@code first} then {@code second} of each event; either may be null. */
    static ChannelObserver both(ChannelObserver first, ChannelObserver second) {
        if (first == null) {
            return second;
        }
        if (second == null) {
            return first;
        }
        return ChannelObservers.both(first, second);
    }
}
