package io.flowsock.core;

import java.util.concurrent.CompletableFuture;

/**
 * What a channel's output does, in the order the application asked for it: a {@link Send} (its
 * buffers), a send's end, FIN for {@code shutdownOutput}, FIN for a graceful close. A send waits
 * in the pending queue until every operation before it was reached; a send's end, a shutdown and
 * a close are then due once every buffer queued before them is written.
 *
 * <p>Runs only on its channel's port thread.
 */
sealed interface OutboundOp permits Send, OutboundOp.SendEnd, OutboundOp.Shutdown, OutboundOp.Close {

    /** The end of {@code send}: due once the first {@code at} buffers of the channel are written; then onSent. */
    record SendEnd(Send send, long at) implements OutboundOp {
    }

    /** FIN after everything before it; {@code done} completes once it is sent, or fails. */
    record Shutdown(CompletableFuture<Void> done) implements OutboundOp {
    }

    /** A graceful close's FIN after everything before it; then the input is drained to the peer's FIN. */
    record Close() implements OutboundOp {
        static final Close INSTANCE = new Close();
    }
}
