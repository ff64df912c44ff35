package io.flowsock.core.spi;

import io.flowsock.core.Timer;
import io.flowsock.core.Transport;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/**
 * A backend that lives in its own module (io_uring), found with {@link java.util.ServiceLoader}:
 * {@code provides io.flowsock.core.spi.TransportProvider} in its module-info, and a
 * {@code META-INF/services} entry for class-path users. {@link Transport#auto()} asks each one
 * whether it can run here and falls back to nio2 otherwise.
 *
 * <p>An implementation must load on every JDK the core supports (Java 17 bytecode) and touch
 * newer APIs only after it has checked the runtime.
 *
 * <p><b>Threading.</b> All methods are safe from any thread.
 */
public interface TransportProvider {
    /** The backend's name, as {@code flowsock.transport} and {@link Transport#of} spell it. */
    String name();

    /**
     * Why automatic selection should not choose this backend here, or empty when a live probe
     * succeeded. May open and close kernel resources to find out; the answer is stable for the JVM.
     */
    Optional<String> unavailable();

    /**
     * Creates the backend, also where {@link #unavailable()} advises against it automatically
     * but it can still run (for example without native access enabled, at the cost of the JVM's
     * warning).
     *
     * @param threads the ports' thread factory, or {@code null} for the backend's daemon threads
     * @throws UnsupportedOperationException naming the reason when it cannot run here
     */
    Transport create(int ports, ThreadFactory threads, Timer timer);
}
