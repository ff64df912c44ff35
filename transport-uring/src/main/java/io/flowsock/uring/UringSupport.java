package io.flowsock.uring;

import io.flowsock.core.Timer;
import io.flowsock.core.Transport;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/**
 * The JDK 22+ side of {@link UringProvider}: the live probe and the factory. Loaded only after the
 * provider has checked the runtime.
 */
final class UringSupport {
    private static final int REGISTER_PROBE = 8;
    private static final int PROBE_OPS = 64;
    private static final int OP_SUPPORTED = 1;
    private static final byte[] NEEDED = {Ring.OP_READ, Ring.OP_RECV, Ring.OP_SENDMSG, Ring.OP_ACCEPT,
            Ring.OP_CONNECT, Ring.OP_ASYNC_CANCEL};
    private static final String[] NEEDED_NAMES = {"READ", "RECV", "SENDMSG", "ACCEPT", "CONNECT", "ASYNC_CANCEL"};
    private static Optional<String> verdict;   // guarded by the class lock

    private UringSupport() {
    }

    /** Why auto selection should not use io_uring here, or empty: native access, then a live ring. */
    static synchronized Optional<String> unavailable() {
        if (verdict == null) {
            verdict = probe();
        }
        return verdict;
    }

    private static Optional<String> probe() {
        Module module = UringSupport.class.getModule();
        if (!module.isNativeAccessEnabled()) {
            String name = module.isNamed() ? module.getName() : "ALL-UNNAMED";
            return Optional.of("native access is not enabled for " + (module.isNamed() ? "module " + name
                    : "the class path") + " (run java with --enable-native-access=" + name
                    + ", or set flowsock.transport=uring to use io_uring regardless)");
        }
        return liveProbe();
    }

    /** Sets up a small ring, asks it which opcodes it has, and registers a buffer ring. */
    static Optional<String> liveProbe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState(arena);
            Ring ring;
            try {
                ring = new Ring(8, state);
            } catch (Errno.Failure e) {
                return Optional.of(e.errno == Errno.EPERM || e.errno == Errno.ENOSYS || e.errno == Errno.EACCES
                        ? "io_uring is not allowed here (" + e.getMessage()
                        + "; see kernel.io_uring_disabled, seccomp or the container's profile)"
                        : e.getMessage());
            }
            try {
                MemorySegment probe = arena.allocate(16 + 8L * PROBE_OPS, 8);
                Native.ioUringRegister(state, ring.fd, REGISTER_PROBE, probe, PROBE_OPS);
                int len = Byte.toUnsignedInt(probe.get(ValueLayout.JAVA_BYTE, 1));
                for (int i = 0; i < NEEDED.length; i++) {
                    int op = NEEDED[i];
                    boolean has = op < len
                            && (probe.get(ValueLayout.JAVA_SHORT, 16 + 8L * op + 2) & OP_SUPPORTED) != 0;
                    if (!has) {
                        return Optional.of("the kernel's io_uring has no " + NEEDED_NAMES[i] + " operation");
                    }
                }
                if ((ring.features & Ring.FEAT_FAST_POLL) == 0) {
                    return Optional.of("the kernel's io_uring lacks FEAT_FAST_POLL (Linux 5.7+ needed, 6.1+ advised)");
                }
                new BufferRing(arena, state, ring.fd, (short) 1, 1, 64);
            } catch (Errno.Failure e) {
                return Optional.of("io_uring probe failed: " + e.getMessage());
            } finally {
                ring.close();
            }
            return Optional.empty();
        } catch (IllegalCallerException e) {
            return Optional.of("native access is denied: " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return Optional.of("io_uring probe failed: " + e);
        }
    }

    static Transport create(int ports, ThreadFactory threads, Timer timer) {
        Optional<String> why = liveProbeCached();
        if (why.isPresent()) {
            throw new UnsupportedOperationException("the uring backend cannot run here: " + why.get());
        }
        return new UringTransport(ports, threads, timer);
    }

    private static Optional<String> liveProbeCached() {
        synchronized (UringSupport.class) {
            if (verdict != null && verdict.isEmpty()) {
                return verdict;
            }
        }
        return liveProbe();
    }
}
