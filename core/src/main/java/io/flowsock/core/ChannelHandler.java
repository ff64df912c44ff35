package io.flowsock.core;

import java.nio.ByteBuffer;

/**
 * Receives what a {@link Channel} reads, the core's callback API for users without Reactor.
 *
 * <p><b>Threading.</b> Every method runs on the channel's port thread, one at a time. Never block.
 *
 * <p><b>Buffers.</b> The buffer given to {@link #onData} is a right-sized heap buffer that the
 * handler owns for good: keep it, change it, hand it to another thread. A handler that
 * {@link #takesLoans() takes loans} gets the port's own receive buffer instead, valid only
 * during the call.
 *
 * <p><b>Lifecycle.</b> {@code onData} is called once per filled receive buffer, never more often
 * than {@link Channel#request(long)} allowed. Then at most one of {@link #onEnd()} (the peer's
 * FIN, or a local dispose) and {@link #onError}; last, {@link #onClosed()}, exactly once. After
 * {@link Channel#abandonInput()} the handler gets no more {@code onData}, {@code onEnd} or
 * {@code onError}, only {@code onClosed} when the connection closes; an abandon after
 * {@code onEnd} or {@code onError} changes nothing.
 */
public interface ChannelHandler {
    /** Bytes received. Counts one against the demand given by {@link Channel#request(long)}. */
    void onData(ByteBuffer data);

    /** The input ended: the peer shut down its output, or the connection was disposed locally. */
    void onEnd();

    /** The input failed: reset by the peer, an I/O error, a watchdog, or an abort. */
    void onError(Throwable error);

    /** The connection is closed and its resources released. */
    default void onClosed() {
    }

    /**
     * Whether {@link #onData} may be given the port's own receive buffer instead of a copy: a
     * loan, valid only until {@code onData} returns. Within that call the handler may offer the
     * buffer, unchanged, to a {@link Send} of this same channel, which writes it in place and
     * gives it back to the port once it is written (an echo without a copy); otherwise neither
     * the handler nor anything it calls may keep it or change it. Asked before each delivery;
     * a backend that cannot lend copies anyway. The default, false, gives the handler a buffer it
     * owns for good.
     */
    default boolean takesLoans() {
        return false;
    }

    /**
     * Whether nobody will consume what is read now. When true, a graceful close drains the
     * input by reading and dropping it, rather than waiting for demand.
     */
    default boolean discardsInput() {
        return false;
    }
}
