package io.flowsock.core;

/**
 * What a channel's output does, in the order the application asked for it: a {@link Send} (its
 * buffers), a send's end, FIN for {@code shutdownOutput}, FIN for a graceful close. A send waits
 * in the pending queue until every operation before it was reached; a send's end, a shutdown and
 * a close are then due once every buffer queued before them is written.
 *
 * <p>Runs only on its channel's port thread.
 */
sealed interface OutboundOp permits Send, Outbound.SendEnd, Outbound.Shutdown, Outbound.Close {
}
