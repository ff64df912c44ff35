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

    /**
     * User plus system time of every thread of {@code pid}, in clock ticks: fields 14 and 15 of
     * /proc/&lt;pid&gt;/stat. Fields are counted after the command name, which may hold spaces.
     */
    static long cpuTicks(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state): field n is f[n - 3]
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
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
     * How many TCP sockets (IPv4 and IPv6) have local port {@code port}, by state ("0A" listen,
     * "01" established, "06" TIME_WAIT, "08" CLOSE_WAIT, ...). The tables are the network
     * namespace's, not the process's: a port names one server.
     */
    public static Map<String, Integer> tcpStates(int port) {
        Map<String, Integer> states = new TreeMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (Files.exists(path)) {
                countStates(read(path), port, states);
            }
        }
        return states;
    }

    /** Adds the sockets of one /proc/net/tcp table whose local port is {@code port} to {@code states}. */
    static void countStates(String table, int port, Map<String, Integer> states) {
        String[] lines = table.split("\n");
        for (int i = 1; i < lines.length; i++) {   // line 0 is the header
            // "  0: 0100007F:1F90 0100007F:9C40 01 ...": slot, local, remote, state
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            String local = f[1];
            int localPort = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
            if (localPort == port) {
                states.merge(f[3], 1, Integer::sum);
            }
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " (has the process exited?)", e);
        }
    }
}
