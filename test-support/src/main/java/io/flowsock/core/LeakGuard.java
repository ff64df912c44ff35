package io.flowsock.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a socket (a connection or a server, the library's or the test's own
 * peer) or a flowsock thread (a port, a transport's closer) behind. Registered for every JUnit
 * Jupiter test of the build through extension auto-detection (META-INF/services and surefire's
 * {@code junit.jupiter.extensions.autodetection.enabled}).
 *
 * <p>Each test is compared with what was open just before it, and each class with what was open
 * before its {@code @BeforeAll}, so a server shared by a class is judged when the class ends.
 * Closing is asynchronous (a socket is closed on its port thread), so what is left is polled for
 * a few seconds before it counts. What lives for good is started before the first snapshot so that
 * it never counts: the JVM-wide shared transport and timer, and the JDK's own NIO dispatcher, which
 * keeps one end of a socketpair open from its first use (sun.nio.ch.FileDispatcherImpl).
 *
 * <p>Sockets are read from {@code /proc/self/fd}; where there is no such directory only threads
 * are checked.
 */
public final class LeakGuard implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    static {
        // flowsock-http brings SLF4J (Jetty logs through it), and Reactor's Loggers would then log
        // through SLF4J's no-op default: the tests keep them on JDK logging, where they always were
        reactor.util.Loggers.useJdkLoggers();
    }

    /** How long what is left may take to close before it counts, in ms (configuration parameter). */
    static final String SETTLE_MILLIS = "flowsock.leakguard.settle.millis";
    private static final Path FDS = Path.of("/proc/self/fd");
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakGuard.class);

    /** What a test could leak: socket inodes held by this process and flowsock's live threads. */
    record Snapshot(Set<String> sockets, Set<Thread> threads) {
        static Snapshot take() {
            return new Snapshot(openSockets(), flowsockThreads());
        }

        Snapshot leakedSince(Snapshot before) {
            Set<String> s = new TreeSet<>(sockets);
            s.removeAll(before.sockets);
            Set<Thread> t = new HashSet<>(threads);
            t.removeAll(before.threads);
            return new Snapshot(s, t);
        }

        boolean isEmpty() {
            return sockets.isEmpty() && threads.isEmpty();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Transport.shared().ports();
        SocketChannel.open().close();
        context.getStore(NS).put("class", Snapshot.take());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("test", Snapshot.take());
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        check(context, context.getStore(NS).get("test", Snapshot.class), "test " + context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        check(context, context.getStore(NS).get("class", Snapshot.class), "class " + context.getDisplayName());
    }

    private static void check(ExtensionContext context, Snapshot before, String what) throws InterruptedException {
        long settle = context.getConfigurationParameter(SETTLE_MILLIS, Long::parseLong).orElse(10_000L);
        long deadline = System.nanoTime() + settle * 1_000_000;
        Snapshot leaked = Snapshot.take().leakedSince(before);
        while (!leaked.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
            leaked = Snapshot.take().leakedSince(before);
        }
        if (!leaked.isEmpty()) {
            throw new AssertionError(what + " left behind " + describe(leaked));
        }
    }

    static String describe(Snapshot leaked) {
        List<String> parts = new ArrayList<>();
        if (!leaked.sockets.isEmpty()) {
            Map<String, String> tcp = tcpSockets();
            parts.add(leaked.sockets.size() + " socket(s) "
                    + leaked.sockets.stream().map(i -> tcp.getOrDefault(i, "socket:[" + i + "]"))
                            .collect(Collectors.joining(", ", "[", "]")));
        }
        if (!leaked.threads.isEmpty()) {
            parts.add(leaked.threads.size() + " thread(s) "
                    + leaked.threads.stream().map(Thread::getName).sorted().collect(Collectors.joining(", ", "[", "]")));
        }
        return String.join(" and ", parts);
    }

    /** Inodes of the sockets this process holds open. */
    static Set<String> openSockets() {
        Set<String> inodes = new TreeSet<>();
        if (!Files.isDirectory(FDS)) {
            return inodes;
        }
        try (Stream<Path> fds = Files.list(FDS)) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException gone) {
                    // closed while listing (or the listing's own descriptor): not open any more
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + FDS, e);
        }
        return inodes;
    }

    static Set<Thread> flowsockThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                // the TLS task threads serve the whole process and end on their own after 30 s idle
                .filter(t -> t.isAlive() && t.getName().startsWith("flowsock-") && !t.getName().startsWith("flowsock-tls-task-"))
                .collect(Collectors.toSet());
    }

    private static final String[] TCP_STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
        "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"};

    /** inode → "tcp local -> remote STATE" or "unix path", from /proc/net, for the failure message. */
    static Map<String, String> tcpSockets() {
        Map<String, String> byInode = new HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    int state = Integer.parseInt(f[3], 16);
                    byInode.put(f[9], "tcp " + address(f[1]) + " -> " + address(f[2]) + " "
                            + (state < TCP_STATES.length ? TCP_STATES[state] : f[3]));
                }
            } catch (IOException | RuntimeException unreadable) {
                // the description is a courtesy; the inode alone still names the leak
            }
        }
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/unix"));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                byInode.put(f[6], "unix " + (f.length > 7 ? f[7] : "(unnamed)"));
            }
        } catch (IOException | RuntimeException unreadable) {
            // as above
        }
        return byInode;
    }

    /** "0100007F:1F90" → "127.0.0.1:8080": the kernel prints each 32-bit word in host (little-endian) order. */
    private static String address(String hex) {
        String[] hostPort = hex.split(":");
        byte[] ip = new byte[hostPort[0].length() / 2];
        for (int word = 0; word < ip.length; word += 4) {
            for (int b = 0; b < 4; b++) {
                int at = 2 * (word + b);
                ip[word + 3 - b] = (byte) Integer.parseInt(hostPort[0].substring(at, at + 2), 16);
            }
        }
        int port = Integer.parseInt(hostPort[1], 16);
        try {
            String host = InetAddress.getByAddress(ip).getHostAddress();   // IPv4-mapped comes back as IPv4
            return (host.contains(":") ? "[" + host.replaceFirst("^0:0:0:0:0:0:0:0$", "::") + "]" : host) + ":" + port;
        } catch (UnknownHostException impossible) {
            return hex;
        }
    }
}
