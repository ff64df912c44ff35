package io.flowsock.core;

/**
 * The producer side of one outbound stream of datagrams, pulled by a {@link DatagramEndpoint} at
 * most {@code sendCap} datagrams ahead of their hand-over to the kernel.
 *
 * <p><b>Threading.</b> Every method runs on the endpoint's port thread, except {@link #onStart},
 * which runs on the thread calling {@link DatagramEndpoint#send}. Never block.
 */
public interface DatagramSource {
    /** The stream's handle, given before any {@link #request}. */
    default void onStart(DatagramSend send) {
    }

    /** The endpoint can take {@code n} more datagrams through {@link DatagramSend#offer}. */
    void request(long n);

    /** The endpoint will take no more: it closed, or the stream failed. Stop producing. */
    void cancel();

    /** Every datagram offered was handed to the kernel, after {@link DatagramSend#complete()}. */
    void onSent();

    /**
     * The stream failed: one datagram was refused ({@link DatagramTooLargeException},
     * {@link PeerUnreachableException}, {@link DatagramException}) or the endpoint closed
     * ({@link ConnectionClosedException}). The endpoint itself stays open unless it closed.
     */
    void onFailed(Throwable error);
}
