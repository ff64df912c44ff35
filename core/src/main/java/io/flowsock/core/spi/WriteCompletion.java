package io.flowsock.core.spi;

/** The outcome of one posted write. Runs on the connection's port thread. */
public interface WriteCompletion {
    /** {@code bytes} were handed to the kernel; a short write leaves the rest in the buffers. */
    void completed(long bytes);

    void failed(Throwable error);
}
