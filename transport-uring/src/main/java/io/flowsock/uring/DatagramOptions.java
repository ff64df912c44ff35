package io.flowsock.uring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Map;
import java.util.Set;

/**
 * The JDK's standard socket options a datagram socket of this backend applies with setsockopt,
 * the set {@code DatagramChannel} supports. On an IPv6 socket an IP-level option is set as its
 * IPv6 twin (IPV6_TCLASS, IPV6_MULTICAST_IF/HOPS/LOOP) and, for the IPv4-mapped traffic a
 * dual-stack socket carries, as the IPv4 option too where the kernel takes it.
 */
final class DatagramOptions {
    static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_TOS, StandardSocketOptions.IP_MULTICAST_IF,
            StandardSocketOptions.IP_MULTICAST_TTL, StandardSocketOptions.IP_MULTICAST_LOOP);
    static final int IPPROTO_IP = 0;
    static final int IPPROTO_IPV6 = 41;
    static final int SO_RXQ_OVFL = 40;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;
    private static final int SO_BROADCAST = 6;
    private static final int IP_TOS = 1;
    private static final int IP_MULTICAST_IF = 32;
    private static final int IP_MULTICAST_TTL = 33;
    private static final int IP_MULTICAST_LOOP = 34;
    private static final int IPV6_MULTICAST_IF = 17;
    private static final int IPV6_MULTICAST_HOPS = 18;
    private static final int IPV6_MULTICAST_LOOP = 19;
    private static final int IPV6_TCLASS = 67;

    private DatagramOptions() {
    }

    /** Fails, naming the option, for one this backend's datagram sockets cannot apply. */
    static void check(Map<SocketOption<?>, Object> options) {
        for (Map.Entry<SocketOption<?>, Object> e : options.entrySet()) {
            SocketOption<?> option = e.getKey();
            if (!SUPPORTED.contains(option)) {
                throw new IllegalArgumentException("socket option " + option.name()
                        + " is not supported by the uring backend's datagram sockets; supported: " + SUPPORTED);
            }
            if (!option.type().isInstance(e.getValue())) {
                throw new IllegalArgumentException("socket option " + option.name() + " takes a "
                        + option.type().getSimpleName() + ", was " + e.getValue());
            }
        }
    }

    /** Applies checked options to {@code fd}, a socket of {@code family}, with {@code scratch} (16 bytes or more). */
    static void apply(MemorySegment state, MemorySegment scratch, int fd, int family,
                      Map<SocketOption<?>, Object> options) {
        boolean v6 = family == Native.AF_INET6;
        for (Map.Entry<SocketOption<?>, Object> e : options.entrySet()) {
            SocketOption<?> o = e.getKey();
            Object v = e.getValue();
            String name = o.name();
            if (o == StandardSocketOptions.IP_MULTICAST_IF) {
                int index = ((NetworkInterface) v).getIndex();
                if (v6) {
                    setInt(state, scratch, fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, index, name);
                }
                MemorySegment mreqn = scratch.asSlice(0, 12);        // struct ip_mreqn: by index alone
                mreqn.fill((byte) 0);
                mreqn.set(ValueLayout.JAVA_INT, 8, index);
                setIpv4(state, fd, v6, mreqn, IP_MULTICAST_IF, name);
                continue;
            }
            int value = v instanceof Boolean b ? (b ? 1 : 0) : (Integer) v;
            if (o == StandardSocketOptions.SO_SNDBUF) {
                setInt(state, scratch, fd, Native.SOL_SOCKET, SO_SNDBUF, value, name);
            } else if (o == StandardSocketOptions.SO_RCVBUF) {
                setInt(state, scratch, fd, Native.SOL_SOCKET, SO_RCVBUF, value, name);
            } else if (o == StandardSocketOptions.SO_REUSEADDR) {
                setInt(state, scratch, fd, Native.SOL_SOCKET, Native.SO_REUSEADDR, value, name);
            } else if (o == StandardSocketOptions.SO_REUSEPORT) {
                setInt(state, scratch, fd, Native.SOL_SOCKET, Native.SO_REUSEPORT, value, name);
            } else if (o == StandardSocketOptions.SO_BROADCAST) {
                setInt(state, scratch, fd, Native.SOL_SOCKET, SO_BROADCAST, value, name);
            } else if (o == StandardSocketOptions.IP_TOS) {
                ipLevel(state, scratch, fd, v6, IP_TOS, IPV6_TCLASS, value, name);
            } else if (o == StandardSocketOptions.IP_MULTICAST_TTL) {
                ipLevel(state, scratch, fd, v6, IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, value, name);
            } else if (o == StandardSocketOptions.IP_MULTICAST_LOOP) {
                ipLevel(state, scratch, fd, v6, IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, value, name);
            } else {
                throw new IllegalArgumentException("socket option " + name
                        + " is not supported by the uring backend's datagram sockets");
            }
        }
    }

    /** The IPv6 twin on an IPv6 socket, and the IPv4 option on either. */
    private static void ipLevel(MemorySegment state, MemorySegment scratch, int fd, boolean v6, int v4Name,
                                int v6Name, int value, String what) {
        if (v6) {
            setInt(state, scratch, fd, IPPROTO_IPV6, v6Name, value, what);
        }
        MemorySegment v = scratch.asSlice(0, 4);
        v.set(ValueLayout.JAVA_INT, 0, value);
        setIpv4(state, fd, v6, v, v4Name, what);
    }

    /** An IPv4 option; on an IPv6 socket it only serves IPv4-mapped traffic, so a refusal there is not an error. */
    private static void setIpv4(MemorySegment state, int fd, boolean v6, MemorySegment value, int name, String what) {
        try {
            Native.setsockopt(state, fd, IPPROTO_IP, name, value, what);
        } catch (Errno.Failure f) {
            if (!v6) {
                throw f;
            }
        }
    }

    static void setInt(MemorySegment state, MemorySegment scratch, int fd, int level, int name, int value,
                       String what) {
        MemorySegment v = scratch.asSlice(0, 4);
        v.set(ValueLayout.JAVA_INT, 0, value);
        Native.setsockopt(state, fd, level, name, v, what);
    }
}
