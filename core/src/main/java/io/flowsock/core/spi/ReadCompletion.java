package io.flowsock.core.spi;

import java.nio.ByteBuffer;

/** The outcome of one posted read. Runs on the connection's port thread. */
public interface ReadCompletion {
    /**
     * Bytes arrived in {@code buffers[0, count)}, each flipped for reading. The buffers are the
     * port's: valid only during this call. {@code posted} is how many were posted, and
     * {@code bufferSize} the capacity of each, so the core can tell a full read from a short one.
     */
    void completed(ByteBuffer[] buffers, int count, int posted, int bufferSize, long bytes);

    /** The peer shut down its output. */
    void endOfStream();

    void failed(Throwable error);
}
