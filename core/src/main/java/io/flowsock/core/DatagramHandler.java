package io.flowsock.core;

/**
 * Receives what a {@link DatagramEndpoint} receives, the core's callback API for users without
 * Reactor.
 *
 * <p><b>Threading.</b> Every method runs on the endpoint's port thread, one at a time. Never block.
 *
 * <p><b>Buffers.</b> A datagram's data is a right-sized heap buffer the handler owns for good.
 *
 * <p><b>Lifecycle.</b> {@code onDatagram} is called never more often than
 * {@link DatagramEndpoint#request(long)} allowed; then at most one of {@link #onEnd()} (the
 * endpoint was closed locally) and {@link #onError} (a receive failed); last {@link #onClosed()},
 * once. After {@link DatagramEndpoint#abandonInput()} only {@code onClosed} follows.
 */
public interface DatagramHandler {
    /** A datagram arrived. Counts one against the demand. */
    void onDatagram(Datagram datagram);

    /** The endpoint was closed: no more datagrams. */
    void onEnd();

    /**
     * A receive failed: on a connected endpoint, {@link PeerUnreachableException} when the peer's
     * port answered with ICMP port unreachable. The endpoint stays open for sending.
     */
    void onError(Throwable error);

    /** The endpoint is closed and its resources released. */
    default void onClosed() {
    }
}
