package io.flowsock.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What Linux says about a process, from /proc: CPU time and resident memory of a child, and the
 * resources a leak would leave behind: open file descriptors and the TCP sockets on a port.
 */
public final class ProcStats {
    private ProcStats() {
    }

    /** Clock ticks per second of the times in /proc/&lt;pid&gt;/stat ({@code getconf CLK_TCK}). */
    static int clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Integer.parseInt(out);
        } catch (IOException | NumberFormatException e) {
            return 100;   // what every Linux has used for decades
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    /** User and system time in clock ticks, of a process or of one thread. */
    record CpuTicks(long user, long system) {
        long total() {
            return user + system;
        }

        CpuTicks minus(CpuTicks earlier) {
            return new CpuTicks(user - earlier.user, system - earlier.system);
        }

        CpuTicks plus(CpuTicks other) {
            return new CpuTicks(user + other.user, system + other.system);
        }
    }

    /**
     * User plus system time of every thread of {@code pid}, in clock ticks: fields 14 and 15 of
     * /proc/&lt;pid&gt;/stat.
     */
    static long cpuTicks(long pid) {
        return cpu(pid).total();
    }

    /** User and system time of the whole process {@code pid} (every thread, live or exited). */
    static CpuTicks cpu(long pid) {
        return parseStat(read(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /**
     * Fields 14 (utime) and 15 (stime) of a /proc stat line. They are counted after the command
     * name, which may hold spaces and parentheses ("(C2 CompilerThre)"): after its last ')'.
     */
    static CpuTicks parseStat(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state): field n is f[n - 3]
        return new CpuTicks(Long.parseLong(f[14 - 3]), Long.parseLong(f[15 - 3]));
    }

    /** Minor page faults of the whole process {@code pid} so far: field 10 of /proc/&lt;pid&gt;/stat. */
    static long minorFaults(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ")[10 - 3]);
    }

    /** The command name of a /proc stat line: between the first '(' and the last ')'. */
    static String parseComm(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /**
     * CPU time of {@code pid}'s live threads, summed by what the JVM uses them for: "jit" (C1 and
     * C2 compiler threads), "gc" (G1 and GC worker threads) and "other" (the application's
     * threads and the rest of the VM). A thread that exits between two readings drops out of the
     * second, so only the difference of two readings of long-lived threads means anything.
     */
    static Map<String, CpuTicks> threadCpu(long pid) {
        Map<String, CpuTicks> byKind = new TreeMap<>();
        Path dir = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> tasks = Files.list(dir)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    continue;   // the thread exited between the listing and the read
                }
                byKind.merge(threadKind(parseComm(stat)), parseStat(stat), CpuTicks::plus);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return byKind;
    }

    /** "jit", "gc" or "other" for a HotSpot thread name as /proc shows it (15 characters at most). */
    static String threadKind(String comm) {
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            return "jit";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return "gc";
        }
        return "other";
    }

    /** Resident set size of {@code pid} in bytes (VmRSS of /proc/&lt;pid&gt;/status). */
    static long rssBytes(long pid) {
        for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String kb = line.substring("VmRSS:".length()).trim().split("\\s+")[0];
                return Long.parseLong(kb) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    /** TCP states as /proc/net/tcp writes them (include/net/tcp_states.h). */
    public static final String ESTABLISHED = "01";
    public static final String TIME_WAIT = "06";
    public static final String CLOSE_WAIT = "08";
    public static final String LISTEN = "0A";

    /** What each of {@code pid}'s open file descriptors points at ("socket:[123]", a path, ...). */
    public static List<String> openFds(long pid) {
        Path dir = Path.of("/proc", Long.toString(pid), "fd");
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(dir)) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // closed between the listing and the read (the listing's own descriptor, typically)
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return targets;
    }

    /**
     * One row of /proc/net/tcp or tcp6: the ports, the state ("0A" listen, "01" established, "06"
     * TIME_WAIT, "08" CLOSE_WAIT, ...) and the bytes queued in the kernel: sent and not yet
     * acknowledged, received and not yet read by the application (for a listener, the accept queue).
     */
    public record TcpSocket(int localPort, int remotePort, String state, long txQueue, long rxQueue) {
    }

    /**
     * Every TCP socket (IPv4 and IPv6) with local port {@code port}. The tables are the network
     * namespace's, not the process's: a port names one server, or one end of one connection.
     */
    public static List<TcpSocket> tcpSockets(int port) {
        List<TcpSocket> sockets = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (Files.exists(path)) {
                sockets.addAll(parseTcp(read(path), port));
            }
        }
        return sockets;
    }

    /** How many TCP sockets have local port {@code port}, by state. */
    public static Map<String, Integer> tcpStates(int port) {
        Map<String, Integer> states = new TreeMap<>();
        tcpSockets(port).forEach(s -> states.merge(s.state(), 1, Integer::sum));
        return states;
    }

    /** The sockets of one /proc/net/tcp table whose local port is {@code port}. */
    static List<TcpSocket> parseTcp(String table, int port) {
        List<TcpSocket> sockets = new ArrayList<>();
        String[] lines = table.split("\n");
        for (int i = 1; i < lines.length; i++) {   // line 0 is the header
            // "  0: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 ...": slot, local, remote, state, tx:rx
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 5 || portOf(f[1]) != port) {
                continue;
            }
            int colon = f[4].indexOf(':');
            sockets.add(new TcpSocket(port, portOf(f[2]), f[3], Long.parseLong(f[4].substring(0, colon), 16),
                    Long.parseLong(f[4].substring(colon + 1), 16)));
        }
        return sockets;
    }

    private static int portOf(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
    }

    /**
     * A TcpExt counter of /proc/net/netstat, e.g. "ListenOverflows" (connections a full accept
     * queue turned away) or "SyncookiesSent"; the network namespace's, since boot. -1 if absent.
     */
    public static long tcpExt(String counter) {
        String[] lines = read(Path.of("/proc/net/netstat")).split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("TcpExt:") && lines[i + 1].startsWith("TcpExt:")) {
                List<String> names = List.of(lines[i].split(" "));
                int at = names.indexOf(counter);
                return at < 0 ? -1 : Long.parseLong(lines[i + 1].split(" ")[at]);
            }
        }
        return -1;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " (has the process exited?)", e);
        }
    }
}
