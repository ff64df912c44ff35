package io.flowsock.core.spi;

/** The outcome of one posted datagram send. Runs on the socket's port thread. */
public interface DatagramSendCompletion {
    /** The first {@code sent} datagrams (at least one) were handed to the kernel; the core posts the rest again. */
    void completed(int sent);

    /**
     * The first {@code sent} datagrams were handed to the kernel and the next one failed with
     * {@code error} (too long: a {@link DatagramTooLongIOException}; a connected peer's port unreachable:
     * {@link java.net.PortUnreachableException}); the ones after it were not tried.
     */
    void failed(int sent, Throwable error);
}
