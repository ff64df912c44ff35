package io.flowsock.uring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * {@code sockaddr_in} and {@code sockaddr_in6} in native memory, to and from
 * {@link InetSocketAddress}. An IPv4-mapped IPv6 peer (a dual-stack listener's IPv4 client) reads
 * back as an IPv4 address, as the JDK reports it.
 */
final class SockAddr {
    /** Room for either family: sizeof(struct sockaddr_in6). */
    static final int SIZE = 28;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SockAddr() {
    }

    static int family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? Native.AF_INET6 : Native.AF_INET;
    }

    /** Writes {@code address} into {@code to} (at least {@link #SIZE} bytes); returns its length. */
    static int write(InetSocketAddress address, MemorySegment to) {
        InetAddress ip = address.getAddress();
        to.asSlice(0, SIZE).fill((byte) 0);
        to.set(PORT, 2, (short) address.getPort());
        if (ip instanceof Inet6Address v6) {
            to.set(ValueLayout.JAVA_SHORT, 0, (short) Native.AF_INET6);
            MemorySegment.copy(v6.getAddress(), 0, to, ValueLayout.JAVA_BYTE, 8, 16);
            to.set(ValueLayout.JAVA_INT, 24, v6.getScopeId());
            return 28;
        }
        to.set(ValueLayout.JAVA_SHORT, 0, (short) Native.AF_INET);
        MemorySegment.copy(ip.getAddress(), 0, to, ValueLayout.JAVA_BYTE, 4, 4);
        return 16;
    }

    /**
     * Writes {@code address} for a socket of {@code family}: an IPv4 address for an IPv6 socket
     * becomes IPv4-mapped ({@code ::ffff:a.b.c.d}), as a dual-stack socket needs it; returns its length.
     */
    static int write(InetSocketAddress address, MemorySegment to, int family) {
        if (family != Native.AF_INET6 || address.getAddress() instanceof Inet6Address) {
            return write(address, to);
        }
        to.asSlice(0, SIZE).fill((byte) 0);
        to.set(ValueLayout.JAVA_SHORT, 0, (short) Native.AF_INET6);
        to.set(PORT, 2, (short) address.getPort());
        to.set(ValueLayout.JAVA_BYTE, 18, (byte) 0xff);
        to.set(ValueLayout.JAVA_BYTE, 19, (byte) 0xff);
        MemorySegment.copy(address.getAddress().getAddress(), 0, to, ValueLayout.JAVA_BYTE, 20, 4);
        return 28;
    }

    /** Reads the address in {@code from}, of either family. */
    static InetSocketAddress read(MemorySegment from) {
        int family = from.get(ValueLayout.JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(from.get(PORT, 2));
        try {
            if (family == Native.AF_INET6) {
                byte[] b = new byte[16];
                MemorySegment.copy(from, ValueLayout.JAVA_BYTE, 8, b, 0, 16);
                int scope = from.get(ValueLayout.JAVA_INT, 24);
                InetAddress ip = InetAddress.getByAddress(b);   // IPv4-mapped comes back as Inet4Address
                if (ip instanceof Inet6Address && scope != 0) {
                    ip = Inet6Address.getByAddress(null, b, scope);
                }
                return new InetSocketAddress(ip, port);
            }
            if (family == Native.AF_INET) {
                byte[] b = new byte[4];
                MemorySegment.copy(from, ValueLayout.JAVA_BYTE, 4, b, 0, 4);
                return new InetSocketAddress((Inet4Address) InetAddress.getByAddress(b), port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("kernel returned a malformed address", e);
        }
        throw new IllegalStateException("kernel returned address family " + family + ", expected AF_INET or AF_INET6");
    }
}
