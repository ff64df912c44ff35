package io.flowsock.uring;

import java.lang.foreign.Arena;
import java.util.ArrayDeque;

/**
 * A port's pool of {@link WriteBlock}s: small ones cut from the port's memory and kept for good,
 * large ones kept up to {@link #RETAINED} and freed beyond that or once the port is closing.
 *
 * <p>Runs only on its port's thread.
 */
final class WriteBlocks {
    private static final int RETAINED = 32;

    private final Arena arena;
    private final ArrayDeque<WriteBlock> small = new ArrayDeque<>();
    private final ArrayDeque<WriteBlock> large = new ArrayDeque<>();
    private boolean closing;

    WriteBlocks(Arena arena) {
        this.arena = arena;
    }

    WriteBlock take(boolean isLarge) {
        WriteBlock b = isLarge ? large.poll() : small.poll();
        if (b != null) {
            return b;
        }
        return isLarge ? WriteBlock.large() : WriteBlock.small(arena);
    }

    /** Back to the pool after the operation's final completion. */
    void release(WriteBlock b) {
        b.reset();
        if (!b.isLarge()) {
            small.push(b);                      // port memory: kept until the port closes
        } else if (large.size() < RETAINED && !closing) {
            large.push(b);
        } else {
            b.free();
        }
    }

    /** From now on large blocks are freed as they come back. */
    void closing() {
        closing = true;
    }

    /** Frees the large blocks kept; the small ones go with the port's memory. */
    void free() {
        for (WriteBlock b : large) {
            b.free();
        }
        large.clear();
        small.clear();
    }
}
