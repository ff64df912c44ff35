package io.flowsock.uring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The libc and kernel calls the backend makes, through the FFM linker. Every call captures errno
 * into a caller-owned state segment ({@link #errnoState}), so a port thread reuses one segment and
 * allocates nothing per call. A failing call throws {@link Errno.Failure} carrying errno.
 *
 * <p><b>Threading.</b> Safe from any thread; each thread passes its own state segment.
 */
// binding to libc is what this class is for: the FFM API calls linking and resizing foreign memory
// restricted, and the module is run with --enable-native-access
@SuppressWarnings("restricted")
final class Native {
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_REUSEPORT = 15;
    static final int SO_LINGER = 13;
    static final int SHUT_WR = 1;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int PROT_READ_WRITE = 0x3;
    static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

    // syscall(long nr, ...): the io_uring calls have no libc wrapper in glibc; one handle per argument list
    private static final MethodHandle SETUP = variadic("syscall", FunctionDescriptor.of(LONG, LONG, INT, ADDRESS));
    private static final MethodHandle ENTER = variadic("syscall",
            FunctionDescriptor.of(LONG, LONG, INT, INT, INT, INT, ADDRESS, LONG));
    private static final MethodHandle REGISTER = variadic("syscall",
            FunctionDescriptor.of(LONG, LONG, INT, INT, ADDRESS, INT));
    private static final MethodHandle MMAP = call("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, LONG, INT, INT, INT, LONG));
    private static final MethodHandle MUNMAP = call("munmap", FunctionDescriptor.of(INT, ADDRESS, LONG));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle BIND = call("bind", FunctionDescriptor.of(INT, INT, ADDRESS, INT));
    private static final MethodHandle CONNECT = call("connect", FunctionDescriptor.of(INT, INT, ADDRESS, INT));
    private static final MethodHandle LISTEN = call("listen", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle SETSOCKOPT = call("setsockopt",
            FunctionDescriptor.of(INT, INT, INT, INT, ADDRESS, INT));
    private static final MethodHandle GETSOCKOPT = call("getsockopt",
            FunctionDescriptor.of(INT, INT, INT, INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETSOCKNAME = call("getsockname",
            FunctionDescriptor.of(INT, INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = call("getpeername",
            FunctionDescriptor.of(INT, INT, ADDRESS, ADDRESS));
    private static final MethodHandle SHUTDOWN = call("shutdown", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle EVENTFD = call("eventfd", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle WRITE = call("write", FunctionDescriptor.of(LONG, INT, ADDRESS, LONG));

    private Native() {
    }

    private static MethodHandle call(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, Linker.Option.captureCallState("errno"));
    }

    private static MethodHandle variadic(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, Linker.Option.firstVariadicArg(1),
                Linker.Option.captureCallState("errno"));
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
    }

    /** A segment errno is captured into; one per calling thread (a port keeps its own). */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(STATE);
    }

    static int errno(MemorySegment state) {
        return state.get(INT, ERRNO_OFFSET);
    }

    private static int check(MemorySegment state, int result, String what) {
        if (result < 0) {
            throw new Errno.Failure(what, errno(state));
        }
        return result;
    }

    /** What a downcall threw, rethrown as is when unchecked (the declared Throwable is the linker's). */
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    // ------------------------------------------------------------------ io_uring

    static int ioUringSetup(MemorySegment state, int entries, MemorySegment params) {
        try {
            return (int) checkLong(state, (long) SETUP.invokeExact(state, SYS_IO_URING_SETUP, entries, params),
                    "io_uring_setup");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** io_uring_enter; returns the SQEs consumed, or {@code -errno} for EINTR/EAGAIN/EBUSY the caller retries. */
    static int ioUringEnter(MemorySegment state, int fd, int toSubmit, int minComplete, int flags) {
        try {
            long r = (long) ENTER.invokeExact(state, SYS_IO_URING_ENTER, fd, toSubmit, minComplete, flags,
                    MemorySegment.NULL, 0L);
            if (r < 0) {
                int e = errno(state);
                if (e == Errno.EINTR || e == Errno.EAGAIN || e == Errno.EBUSY) {
                    return -e;
                }
                throw new Errno.Failure("io_uring_enter", e);
            }
            return (int) r;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int ioUringRegister(MemorySegment state, int fd, int opcode, MemorySegment arg, int nrArgs) {
        try {
            return (int) checkLong(state, (long) REGISTER.invokeExact(state, SYS_IO_URING_REGISTER, fd, opcode, arg,
                    nrArgs), "io_uring_register");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static long checkLong(MemorySegment state, long result, String what) {
        if (result < 0) {
            throw new Errno.Failure(what, errno(state));
        }
        return result;
    }

    static MemorySegment mmap(MemorySegment state, long length, int fd, long offset) {
        try {
            MemorySegment m = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, PROT_READ_WRITE,
                    MAP_SHARED_POPULATE, fd, offset);
            if (m.address() == -1L) {
                throw new Errno.Failure("mmap", errno(state));
            }
            return m.reinterpret(length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void munmap(MemorySegment state, MemorySegment m) {
        try {
            int r = (int) MUNMAP.invokeExact(state, m, m.byteSize());
            check(state, r, "munmap");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ------------------------------------------------------------------ descriptors and sockets

    /** close(2); an error is ignored: the descriptor is released either way on Linux. */
    static void close(MemorySegment state, int fd) {
        try {
            int r = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int socket(MemorySegment state, int family) {
        return socket(state, family, SOCK_STREAM);
    }

    /** A close-on-exec socket of {@code type} (SOCK_STREAM, SOCK_DGRAM). */
    static int socket(MemorySegment state, int family, int type) {
        try {
            return check(state, (int) SOCKET.invokeExact(state, family, type | SOCK_CLOEXEC, 0), "socket");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** connect(2), synchronous: for datagram sockets, where it only sets the peer and never waits. */
    static void connect(MemorySegment state, int fd, MemorySegment addr, int len) {
        try {
            check(state, (int) CONNECT.invokeExact(state, fd, addr, len), "connect");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void bind(MemorySegment state, int fd, MemorySegment addr, int len) {
        try {
            check(state, (int) BIND.invokeExact(state, fd, addr, len), "bind");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void listen(MemorySegment state, int fd, int backlog) {
        try {
            check(state, (int) LISTEN.invokeExact(state, fd, backlog), "listen");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void setsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, String what) {
        try {
            check(state, (int) SETSOCKOPT.invokeExact(state, fd, level, name, value, (int) value.byteSize()), what);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** getsockopt into {@code value}; {@code len} holds its size in and out. */
    static void getsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, MemorySegment len,
                           String what) {
        try {
            check(state, (int) GETSOCKOPT.invokeExact(state, fd, level, name, value, len), what);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** getsockname or getpeername into {@code addr}; {@code len} holds its size in and out. */
    static void sockname(MemorySegment state, int fd, boolean peer, MemorySegment addr, MemorySegment len) {
        try {
            int r = peer ? (int) GETPEERNAME.invokeExact(state, fd, addr, len)
                    : (int) GETSOCKNAME.invokeExact(state, fd, addr, len);
            check(state, r, peer ? "getpeername" : "getsockname");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void shutdown(MemorySegment state, int fd, int how) {
        try {
            check(state, (int) SHUTDOWN.invokeExact(state, fd, how), "shutdown");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int eventfd(MemorySegment state) {
        try {
            return check(state, (int) EVENTFD.invokeExact(state, 0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd");
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Adds {@code one} (an 8-byte 1) to an eventfd; a full counter (EAGAIN) already means "awake". */
    static void eventfdWrite(MemorySegment state, int fd, MemorySegment one) {
        try {
            long r = (long) WRITE.invokeExact(state, fd, one, 8L);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
