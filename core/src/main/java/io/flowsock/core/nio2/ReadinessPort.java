package io.flowsock.core.nio2;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.function.IntConsumer;

/**
 * A port that waits on a JDK {@code Selector} itself (the selector backend's): its datagram
 * sockets register there, so readiness reaches them on the port's thread with no hand-over from
 * the transport's {@link DatagramSelector} thread, which then only reads their drop counts.
 */
public interface ReadinessPort {
    /**
     * Registers {@code ch} (non-blocking) with no interest yet; {@code onReady} gets the ready
     * operations on the port's thread. Port thread.
     */
    SelectionKey registerForReadiness(SelectableChannel ch, IntConsumer onReady) throws IOException;
}
