package io.flowsock.benchmarks.reliability;

import static org.junit.jupiter.api.Assertions.fail;

import io.flowsock.benchmarks.ProcStats;
import io.flowsock.reactive.DisposableServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a leak would leave in this JVM: its open file descriptors, its live threads, and the TCP
 * sockets on the server's port (this JVM's, since the port is its server's). A test takes one
 * once the server is warm and quiet, and checks after the load that everything is back.
 *
 * <p>Threads are Java threads, by name. The JDK's "process reaper" threads are left out: the JDK
 * starts one per child process it waits for and lets it live 60 s idle, so their number says when
 * the last child exited, not whether anything leaked. JIT and GC threads are not Java threads and
 * come and go on their own; they are not counted either.
 *
 * @param fds         what each open descriptor points at ("socket:[...]", "pipe:[...]", a path)
 * @param threads     names of live Java threads, the process reapers left out
 * @param serverTcp   sockets whose local port is the server's, by /proc/net/tcp state
 * @param connections the server's open connections
 */
record Footprint(List<String> fds, List<String> threads, Map<String, Integer> serverTcp, int connections) {
    /** Server-side TCP states that may remain once all is closed: the listener and TIME_WAIT. */
    private static final List<String> AT_REST = List.of(ProcStats.LISTEN, ProcStats.TIME_WAIT);

    /**
     * Reads the server's connection count first: flowsock closes a socket before the connection
     * leaves that count, so every connection counted closed here has released its descriptor by
     * the time the descriptors are read.
     */
    static Footprint of(DisposableServer server) {
        int connections = server.connections();
        Map<String, Integer> tcp = ProcStats.tcpStates(server.port());
        List<String> fds = ProcStats.openFds(ProcessHandle.current().pid());
        List<String> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> !n.startsWith("process reaper"))
                .sorted()
                .toList();
        return new Footprint(fds, threads, tcp, connections);
    }

    long sockets() {
        return fds.stream().filter(f -> f.startsWith("socket:")).count();
    }

    int tcp(String state) {
        return serverTcp.getOrDefault(state, 0);
    }

    /** No connection open, no server socket in any state but LISTEN and TIME_WAIT. */
    boolean quiet() {
        return connections == 0 && serverTcp.keySet().stream().allMatch(AT_REST::contains);
    }

    /** Waits until the server is quiet (connections closed, no socket half-way), then takes the footprint. */
    static Footprint quiet(DisposableServer server, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Footprint now = of(server);
        while (!now.quiet() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = of(server);
        }
        if (!now.quiet()) {
            fail("the server did not come to rest within " + within + ": " + now.connections
                    + " connections open, sockets on its port by state " + now.serverTcp);
        }
        return now;
    }

    /**
     * Polls until this JVM is back to {@code baseline}: the server quiet, no CLOSE_WAIT, exactly
     * as many descriptors and threads as before. Fails naming what is left when {@code within}
     * passes first. Returns the footprint that matched.
     */
    static Footprint assertBackTo(Footprint baseline, DisposableServer server, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Footprint now = of(server);
        while (!now.matches(baseline) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = of(server);
        }
        if (!now.matches(baseline)) {
            fail("not back to the baseline " + within + " after the load:"
                    + "\n  connections open " + now.connections
                    + "\n  server sockets by state " + now.serverTcp + " (baseline " + baseline.serverTcp + "; "
                    + ProcStats.CLOSE_WAIT + " is CLOSE_WAIT)"
                    + "\n  open fds " + now.fds.size() + " (baseline " + baseline.fds.size() + "), extra "
                    + extra(now.fds, baseline.fds, Footprint::kind) + ", missing " + extra(baseline.fds, now.fds, Footprint::kind)
                    + "\n  threads " + now.threads.size() + " (baseline " + baseline.threads.size() + "), extra "
                    + extra(now.threads, baseline.threads, t -> t) + ", missing "
                    + extra(baseline.threads, now.threads, t -> t));
        }
        return now;
    }

    private boolean matches(Footprint baseline) {
        return quiet() && tcp(ProcStats.CLOSE_WAIT) == 0 && fds.size() == baseline.fds.size()
                && threads.equals(baseline.threads);
    }

    /** How many of each kind {@code a} holds beyond {@code b}. */
    private static Map<String, Long> extra(List<String> a, List<String> b, Function<String, String> kind) {
        List<String> rest = new ArrayList<>(a);
        b.forEach(rest::remove);
        return rest.stream().collect(Collectors.groupingBy(kind, TreeMap::new, Collectors.counting()));
    }

    /** "socket:[123]" is a socket, "pipe:[4]" a pipe, a path stays as it is. */
    private static String kind(String fd) {
        int colon = fd.indexOf(":[");
        return colon > 0 ? fd.substring(0, colon) : fd;
    }
}
