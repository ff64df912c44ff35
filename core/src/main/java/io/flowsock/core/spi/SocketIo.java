package io.flowsock.core.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A backend's connected socket, as the core drives it. At most one read and one write are posted
 * at a time; each post gets exactly one completion, on the connection's port thread, possibly
 * before the posting call returns.
 */
public interface SocketIo {
    /**
     * Posts a read into {@code count} of the port's receive buffers, small ones when {@code small}
     * (an idle connection waiting for its next message holds no large buffer).
     */
    void read(int count, boolean small, ReadCompletion completion);

    /** Posts a gathering write of {@code srcs[offset, offset + length)}. */
    void write(ByteBuffer[] srcs, int offset, int length, WriteCompletion completion);

    /** Sends FIN after what was written. */
    void shutdownOutput() throws IOException;

    /**
     * Closes the socket; with {@code reset}, abortively (RST, SO_LINGER 0). Called once.
     * {@code released} runs once on the port thread when the descriptor is closed and no posted
     * operation can still read or write memory it was given: inline where closing is synchronous
     * (nio2), after the last operation's final completion where the kernel answers later
     * (io_uring). The core answers pending sends and completes {@code onClose()} only then, so a
     * buffer handed back to its owner is never still in use by the kernel. A read or write still
     * posted at close may get a failure completion later (nio2, io_uring) or none at all
     * (selector); the core ignores both.
     */
    void close(boolean reset, Runnable released);

    /**
     * Whether a read completion may keep a receive buffer past its call (see
     * {@link ReadCompletion#completed}); the core then lends it to a handler that takes loans
     * instead of copying it.
     */
    default boolean lendsBuffers() {
        return false;
    }

    /**
     * Takes back a receive buffer a read completion kept. Port thread; only called by backends
     * that {@link #lendsBuffers() lend}, once per buffer kept, at the latest when the socket is
     * released.
     */
    default void recycle(ByteBuffer buffer) {
        throw new UnsupportedOperationException("this backend does not lend receive buffers");
    }

    /** Capacity of the small receive buffer used while a connection trickles. */
    int smallBufferSize();

    InetSocketAddress localAddress();

    InetSocketAddress remoteAddress();
}
