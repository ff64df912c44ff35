package io.flowsock.core;

/**
 * The producer side of one outbound stream, pulled by a {@link Channel} at most {@code sendCap}
 * buffers ahead of write completions. Reactive Streams' {@code Subscription.request} maps onto
 * {@link #request(long)} one to one.
 *
 * <p><b>Threading.</b> Every method runs on the channel's port thread. Never block.
 */
public interface SendSource {
    /**
     * The stream's handle, given before any {@link #request}: on the port thread the first
     * request can come before {@link Channel#send} returns. Runs on the thread calling send.
     */
    default void onStart(Send send) {
    }

    /** The channel can take {@code n} more buffers through {@link Send#offer}. */
    void request(long n);

    /** The channel will take no more: it closed or failed. Stop producing. */
    void cancel();

    /** Every buffer offered was handed to the kernel, after {@link Send#complete()}. */
    void onSent();

    /** The stream could not be written in full; the connection is closed or closing. */
    void onFailed(Throwable error);
}
