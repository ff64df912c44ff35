package io.flowsock.core.spi;

import java.net.SocketException;

/**
 * How a backend tells the core that the kernel refused one datagram as too long for this path
 * ({@code EMSGSIZE}). Passed to {@link DatagramSendCompletion#failed}; the core turns it into a
 * {@link io.flowsock.core.DatagramTooLargeException} for the send it was part of.
 */
public final class DatagramTooLongIOException extends SocketException {
    private static final long serialVersionUID = 1L;

    public DatagramTooLongIOException(String message, Throwable cause) {
        super(message);
        if (cause != null) {
            initCause(cause);
        }
    }
}
