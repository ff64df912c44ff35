package io.flowsock.core.nio2;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Linux's per-socket count of datagrams dropped because the socket's receive buffer was full: the
 * last column ("drops") of {@code /proc/net/udp} and {@code /proc/net/udp6}, found by the socket's
 * local address and port. The JDK gives no way to a socket's inode, so the address is the key;
 * two sockets bound to the same address and port (SO_REUSEPORT) would share one line's count.
 * Where the files cannot be read (not Linux, a sandbox), every count stays -1: unknown.
 *
 * <p>Runs only on the datagram selector's thread: it reads files.
 */
final class ProcNetUdp {
    private static final Path UDP = Path.of("/proc/net/udp");
    private static final Path UDP6 = Path.of("/proc/net/udp6");
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** Whether this system has the files: a new socket then starts at 0 drops, else at -1 (unknown). */
    static final boolean AVAILABLE = Files.isReadable(UDP);

    private boolean unreadable;   // selector thread only: a read failed, give up

    void refresh(Collection<Nio2Datagram> sockets) {
        if (unreadable || sockets.isEmpty()) {
            return;
        }
        List<String> v4;
        List<String> v6;
        try {
            v4 = Files.exists(UDP) ? Files.readAllLines(UDP) : List.of();
            v6 = Files.exists(UDP6) ? Files.readAllLines(UDP6) : List.of();
        } catch (IOException | SecurityException e) {
            unreadable = true;
            return;
        }
        if (v4.isEmpty() && v6.isEmpty()) {
            unreadable = true;
            return;
        }
        for (Nio2Datagram s : sockets) {
            InetSocketAddress local = s.boundAddress();
            if (local != null) {
                long d = find(local.getAddress().getAddress().length == 4 ? v4 : v6, local);
                if (d >= 0) {
                    s.drops = d;
                }
            }
        }
    }

    /** The drops of the line for {@code local}, or -1 when there is none. */
    static long find(List<String> lines, InetSocketAddress local) {
        byte[] want = local.getAddress().getAddress();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 13) {
                continue;
            }
            int colon = f[1].indexOf(':');
            if (colon < 0 || Integer.parseInt(f[1].substring(colon + 1), 16) != local.getPort()) {
                continue;
            }
            if (Arrays.equals(address(f[1].substring(0, colon)), want)) {
                return Long.parseLong(f[f.length - 1]);
            }
        }
        return -1;
    }

    /** The kernel prints each 32-bit word of the address in host byte order. */
    static byte[] address(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        if (LITTLE) {
            for (int w = 0; w + 4 <= b.length; w += 4) {
                byte t = b[w];
                b[w] = b[w + 3];
                b[w + 3] = t;
                t = b[w + 1];
                b[w + 1] = b[w + 2];
                b[w + 2] = t;
            }
        }
        return b;
    }
}
