package io.flowsock.uring;

import java.util.Objects;

/**
 * How a socket of an io_uring port ends. Once it is closed and the last of its operations has had
 * its final completion, the kernel no longer touches any memory it was given: then, and once, the
 * registration's id goes back to the port, the descriptor is closed and the release is reported.
 *
 * <p>Runs only on its port's thread.
 */
final class Release {
    private static final Runnable NOTHING = () -> { };

    private final UringPort port;
    private final Registration registration;
    private final int fd;
    private final Runnable freeing;         // the owner's own memory for the kernel, given back first
    private boolean done;
    private Runnable then = NOTHING;

    Release(UringPort port, Registration registration, int fd, Runnable freeing) {
        this.port = port;
        this.registration = registration;
        this.fd = fd;
        this.freeing = freeing;
    }

    boolean isDone() {
        return done;
    }

    /** Runs {@code r} once released; at once if it already is. */
    void then(Runnable r) {
        Objects.requireNonNull(r, "r");
        if (done) {
            r.run();
        } else {
            then = r;
        }
    }

    /** The socket has just closed: released at once when nothing is in flight, else everything is cancelled. */
    void closed() {
        if (registration.pending() > 0) {
            port.submitCancelAll(fd);        // the release comes with the last final completion
        } else {
            release();
        }
    }

    /** A completion of the closed socket came: released if it was the last. */
    void completed() {
        if (registration.pending() == 0) {
            release();
        }
    }

    private void release() {
        if (done) {
            return;
        }
        port.unregister(registration);
        now();
    }

    /** Released without waiting: the port gave up on the socket's operations and keeps their id and memory. */
    void now() {
        if (done) {
            return;
        }
        done = true;
        freeing.run();
        Native.close(port.errno(), fd);
        Runnable r = then;
        then = NOTHING;
        r.run();
    }
}
