package io.flowsock.uring;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A port's table of {@link Registration}s by id. Ids are reused only after
 * {@link #remove}, which is refused while the registration still has operations to complete.
 * Id 0 is never given: it marks cancel requests.
 *
 * <p>Runs only on its port's thread.
 */
final class Registrations {
    private Registration[] table = new Registration[64];
    private int[] freeIds = new int[64];
    private int freeCount;
    private int nextId = 1;

    Registration add(Completion owner) {
        int id = freeCount > 0 ? freeIds[--freeCount] : nextId++;
        if (id >= table.length) {
            table = Arrays.copyOf(table, table.length * 2);
        }
        Registration r = new Registration(id, owner);
        table[id] = r;
        return r;
    }

    void remove(Registration r) {
        if (r.pending() != 0) {
            throw new IllegalStateException("registration " + r.id + " still has " + r.pending() + " operations");
        }
        table[r.id] = null;
        if (freeCount == freeIds.length) {
            freeIds = Arrays.copyOf(freeIds, freeIds.length * 2);
        }
        freeIds[freeCount++] = r.id;
    }

    /** The registration with {@code id}, or null if there is none (a late completion). */
    Registration get(int id) {
        return id < table.length ? table[id] : null;
    }

    void forEach(Consumer<Registration> action) {
        for (Registration r : table) {
            if (r != null) {
                action.accept(r);
            }
        }
    }

    /** Operations submitted whose final completion has not come, over every registration. */
    int pending() {
        int n = 0;
        for (Registration r : table) {
            if (r != null) {
                n += r.pending();
            }
        }
        return n;
    }
}
