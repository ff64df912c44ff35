package io.flowsock.uring;

import java.util.Arrays;

/**
 * Which buffers of one pool of the port (a provided-buffer ring, the scatter buffers) are out:
 * taken for a receive and not yet given back. A buffer given back while the pool already holds
 * it is refused, counted and reported once: accepted, it would be handed to two receives at once,
 * and one connection's bytes would land in another's buffer.
 *
 * <p>Runs only on its port's thread.
 */
final class Custody {
    private static final System.Logger LOG = System.getLogger(Custody.class.getName());

    private final String pool;
    private boolean[] out;
    private int refused;

    Custody(String pool, int size) {
        this.pool = pool;
        this.out = new boolean[size];
    }

    /** The pool now has {@code size} buffers, the new ones held by it. */
    void grow(int size) {
        out = Arrays.copyOf(out, size);
    }

    /** Buffer {@code id} left the pool. */
    void taken(int id) {
        out[id] = true;
    }

    /** Whether buffer {@code id} may go back: it was out. A second return is refused here. */
    boolean givenBack(int id) {
        if (out[id]) {
            out[id] = false;
            return true;
        }
        if (refused++ == 0) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: buffer " + id + " of " + pool
                    + " was given back while the pool held it; refused (reported once per pool)",
                    new IllegalStateException("buffer given back twice"));
        }
        return false;
    }

    /** Returns refused so far: each is a buffer given back twice. */
    int refused() {
        return refused;
    }
}
