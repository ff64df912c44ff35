package io.flowsock.core;

import io.flowsock.core.internal.Checks;
import io.flowsock.core.nio2.Nio2Transport;
import io.flowsock.core.selector.SelectorTransport;
import io.flowsock.core.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadFactory;

/**
 * Chooses a backend by name: {@code nio2} or {@code selector} (built in), a
 * {@link TransportProvider}'s name, or {@code auto}: the first provider whose live probe succeeds,
 * else selector on Linux and nio2 elsewhere. The first automatic choice in a JVM is logged once at
 * INFO with the backend chosen and the reason for falling back.
 */
final class Backends {
    /** The system property that picks the default backend: auto, nio2, selector or a provider's name. */
    static final String PROPERTY = "flowsock.transport";
    static final String AUTO = "auto";
    static final String NIO2 = "nio2";
    static final String SELECTOR = "selector";
    private static final System.Logger LOG = System.getLogger(Transport.class.getName());
    private static volatile boolean logged;   // set by the first auto choice; a race logs at most twice

    private Backends() {
    }

    static Transport create(String backend, int ports, ThreadFactory threads, Timer timer) {
        Objects.requireNonNull(backend, "backend");
        Checks.positive("ports", ports);
        Objects.requireNonNull(timer, "timer");
        String name = backend.trim().toLowerCase(Locale.ROOT);
        if (name.equals(NIO2)) {
            return new Nio2Transport(ports, threads, timer);
        }
        if (name.equals(SELECTOR)) {
            return new SelectorTransport(ports, threads, timer);
        }
        List<TransportProvider> providers = providers();
        if (name.equals(AUTO)) {
            return auto(providers, ports, threads, timer);
        }
        for (TransportProvider p : providers) {
            if (p.name().equals(name)) {
                return p.create(ports, threads, timer);
            }
        }
        List<String> known = new ArrayList<>(List.of(AUTO, NIO2, SELECTOR));
        providers.forEach(p -> known.add(p.name()));
        throw new IllegalArgumentException("backend must be one of " + known + ", was \"" + backend + "\""
                + (name.equals("uring") ? " (the uring backend is in flowsock-transport-uring, which is not"
                + " on the class or module path)" : ""));
    }

    private static Transport auto(List<TransportProvider> providers, int ports, ThreadFactory threads, Timer timer) {
        StringBuilder reasons = new StringBuilder();
        for (TransportProvider p : providers) {
            Optional<String> why = p.unavailable();
            if (why.isEmpty()) {
                try {
                    Transport t = p.create(ports, threads, timer);
                    logOnce("flowsock: using the " + p.name() + " backend");
                    return t;
                } catch (RuntimeException e) {
                    why = Optional.of(String.valueOf(e.getMessage()));
                }
            }
            reasons.append("; ").append(p.name()).append(" unavailable: ").append(why.get());
        }
        if (selectorFirst()) {
            logOnce("flowsock: using the selector backend" + (reasons.length() == 0
                    ? " (no io_uring backend on the class or module path)" : reasons.toString()));
            return new SelectorTransport(ports, threads, timer);
        }
        logOnce("flowsock: using the nio2 backend" + (reasons.length() == 0
                ? " (no other backend on the class or module path)" : reasons.toString()));
        return new Nio2Transport(ports, threads, timer);
    }

    /**
     * Whether auto prefers the selector backend to nio2 here: on Linux, where NIO.2 is the JDK's
     * emulation over epoll and the selector backend measured ahead of it (docs/benchmarks.md).
     * On Windows NIO.2 is the system's own completion port, and elsewhere nothing was measured.
     */
    private static boolean selectorFirst() {
        return System.getProperty("os.name", "").startsWith("Linux");
    }

    private static void logOnce(String message) {
        if (!logged) {
            logged = true;
            LOG.log(System.Logger.Level.INFO, message);
        }
    }

    /** The providers found; one that fails to load is skipped, said at WARNING. */
    private static List<TransportProvider> providers() {
        List<TransportProvider> found = new ArrayList<>();
        ServiceLoader<TransportProvider> loader = ServiceLoader.load(TransportProvider.class,
                Backends.class.getClassLoader());
        var it = loader.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                LOG.log(System.Logger.Level.WARNING, "flowsock: skipping a transport provider that cannot load: " + e);
            }
        }
        return found;
    }
}
