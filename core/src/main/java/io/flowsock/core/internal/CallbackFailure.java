package io.flowsock.core.internal;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * What a JDK backend's socket does when a completion callback throws: a handler's JVM-fatal error,
 * which Reactor passes up the stack out of onNext, or a library bug. Thrown on, it would end or
 * stall the port thread and strand every connection on it, so the one connection fails with that
 * error instead, and the port goes on. Port thread.
 */
public final class CallbackFailure {
    private static final System.Logger LOG = System.getLogger(CallbackFailure.class.getName());

    private CallbackFailure() {
    }

    /** Logs {@code error} and hands it to {@code fail} (the completion's own failure path). */
    public static void fail(InetSocketAddress local, InetSocketAddress remote, Throwable error,
                            Consumer<Throwable> fail) {
        LOG.log(System.Logger.Level.WARNING, "flowsock: a completion callback of the connection " + local + " <-> "
                + remote + " threw; closing that connection", error);
        try {
            fail.accept(error);
        } catch (Throwable again) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: failing the connection " + local + " <-> " + remote
                    + " threw too", again);
        }
    }
}
