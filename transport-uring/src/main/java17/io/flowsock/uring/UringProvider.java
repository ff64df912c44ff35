package io.flowsock.uring;

import io.flowsock.core.Timer;
import io.flowsock.core.Transport;
import io.flowsock.core.spi.TransportProvider;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/**
 * The io_uring backend's entry point, found by {@link java.util.ServiceLoader}. Compiled for Java 17
 * so that an older JVM with this jar on its path can load it and hear why it is unavailable; the
 * JDK 22 code (the FFM API) is loaded only after the runtime has been checked.
 *
 * <p><b>Threading.</b> All methods are safe from any thread.
 */
public final class UringProvider implements TransportProvider {
    static final int MIN_FEATURE = 22;
    private static final String SUPPORT = "io.flowsock.uring.UringSupport";

    @Override
    public String name() {
        return "uring";
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<String> unavailable() {
        String why = platform();
        if (why != null) {
            return Optional.of(why);
        }
        return (Optional<String>) call("unavailable", new Class<?>[0]);
    }

    @Override
    public Transport create(int ports, ThreadFactory threads, Timer timer) {
        String why = platform();
        if (why != null) {
            throw new UnsupportedOperationException("the uring backend cannot run here: " + why);
        }
        return (Transport) call("create", new Class<?>[] {int.class, ThreadFactory.class, Timer.class},
                ports, threads, timer);
    }

    /** Why this JVM and OS cannot run the backend at all, or null. */
    private static String platform() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "io_uring needs Linux, this is " + os;
        }
        int feature = Runtime.version().feature();
        if (feature < MIN_FEATURE) {
            return "the uring backend needs JDK " + MIN_FEATURE + "+ (the FFM API), this is JDK " + Runtime.version();
        }
        return null;
    }

    private static Object call(String method, Class<?>[] types, Object... args) {
        try {
            Method m = Class.forName(SUPPORT, true, UringProvider.class.getClassLoader()).getDeclaredMethod(method, types);
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the uring backend's JDK 22 classes cannot load", e);
        }
    }

    @Override
    public String toString() {
        return "UringProvider";
    }
}
