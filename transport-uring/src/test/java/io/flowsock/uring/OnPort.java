package io.flowsock.uring;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Runs a task on a port's thread and waits for its answer: how a test reads state confined to the port. */
final class OnPort {
    private static final long WAIT_MS = 10_000;

    private OnPort() {
    }

    /** {@code task}'s result, computed on {@code port}'s thread; its exception is rethrown, wrapped. */
    static <T> T onPort(UringPort port, Supplier<T> task) throws Exception {
        return call(port, task::get);
    }

    /** As {@link #onPort}, for a task that may throw a checked exception. */
    static <T> T call(UringPort port, Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        port.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }
}
