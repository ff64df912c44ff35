package io.flowsock.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Map;
import java.util.Set;

/**
 * The JDK's standard socket options this backend applies with setsockopt, and the check that names
 * any other. The set is nio2's (the JDK's asynchronous sockets): an application that binds on one
 * backend binds on the other, whichever {@code auto} picks. SO_LINGER stays internal, for resets.
 */
final class SocketOptions {
    static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1;
    private static final int SO_KEEPALIVE = 9;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;

    private SocketOptions() {
    }

    /** Fails, naming the option, for one this backend cannot apply: checked at bind and connect. */
    static void check(Map<SocketOption<?>, Object> options) {
        for (SocketOption<?> option : options.keySet()) {
            if (!SUPPORTED.contains(option)) {
                throw new IllegalArgumentException("socket option " + option.name()
                        + " is not supported by the uring backend; supported: " + SUPPORTED);
            }
        }
    }

    static void setInt(MemorySegment state, Arena arena, int fd, int level, int name, int value, String what) {
        MemorySegment v = arena.allocate(4, 4);
        v.set(ValueLayout.JAVA_INT, 0, value);
        Native.setsockopt(state, fd, level, name, v, what);
    }

    /** Applies checked options to {@code fd}, using {@code scratch} (8 bytes or more) for the values. */
    static void apply(MemorySegment state, MemorySegment scratch, int fd, Map<SocketOption<?>, Object> options) {
        for (Map.Entry<SocketOption<?>, Object> e : options.entrySet()) {
            SocketOption<?> o = e.getKey();
            Object v = e.getValue();
            MemorySegment value = scratch.asSlice(0, 4);
            int level = Native.SOL_SOCKET;
            int name;
            int intValue = v instanceof Boolean b ? (b ? 1 : 0) : (Integer) v;
            if (o == StandardSocketOptions.TCP_NODELAY) {
                level = IPPROTO_TCP;
                name = TCP_NODELAY;
            } else if (o == StandardSocketOptions.SO_KEEPALIVE) {
                name = SO_KEEPALIVE;
            } else if (o == StandardSocketOptions.SO_SNDBUF) {
                name = SO_SNDBUF;
            } else if (o == StandardSocketOptions.SO_RCVBUF) {
                name = SO_RCVBUF;
            } else if (o == StandardSocketOptions.SO_REUSEADDR) {
                name = Native.SO_REUSEADDR;
            } else if (o == StandardSocketOptions.SO_REUSEPORT) {
                name = Native.SO_REUSEPORT;
            } else {
                throw new IllegalArgumentException("socket option " + o.name() + " is not supported by the uring backend");
            }
            value.set(ValueLayout.JAVA_INT, 0, intValue);
            Native.setsockopt(state, fd, level, name, value, o.name());
        }
    }
}
