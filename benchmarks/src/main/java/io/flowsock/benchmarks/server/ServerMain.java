package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.FlightRecording;
import io.flowsock.benchmarks.Protocol;
import io.flowsock.benchmarks.TlsFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import jdk.jfr.Recording;

/**
 * One contender's server in its own JVM, so that the runner can read its CPU time and memory
 * from /proc without counting the load generator.
 *
 * <pre>
 * java io.flowsock.benchmarks.server.ServerMain &lt;contender&gt; &lt;behaviour&gt; &lt;port&gt; [tls=DIR]
 *   contender: flowsock | flowsock-uring | flowsock-taps-off | reactor-netty-epoll | reactor-netty-uring | reactor-netty-nio | jdk-nio2
 *   behaviour: hello | greet | discard | echo | http | udp-echo (tls= is not for http or udp-echo)
 *   tls=DIR:   speak TLS 1.3 with the key the runner wrote into DIR (not jdk-nio2)
 * </pre>
 *
 * Prints {@code READY <detail>} once bound, then obeys stdin: {@code heap} prints
 * {@code HEAP <bytes used after GC>}, {@code conns} prints {@code CONNS <open connections>},
 * {@code cpu} prints {@code CPU <own process CPU nanoseconds>}, {@code jfr-start [file]} starts a
 * JFR recording (see {@link FlightRecording}), closing any before it unwritten, and prints
 * {@code JFR recording}, {@code jfr-stop} writes it to the file and prints {@code JFR written},
 * {@code quit} or end of input stops the server. The stdin
 * rule means a server never outlives a runner that died without killing it.
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && !(args.length == 4 && args[3].startsWith("tls="))) {
            System.err.println("usage: ServerMain <contender> <behaviour> <port> [tls=DIR]");
            System.exit(2);
        }
        Behaviour behaviour = Behaviour.parse(args[1]);
        int port = Integer.parseInt(args[2]);
        Path tls = args.length == 4 ? Path.of(args[3].substring("tls=".length())) : null;
        KeyManagerFactory keys = tls == null ? null : TlsFiles.keyManagers(tls);
        SSLContext context = tls == null ? null : TlsFiles.serverContext(tls);
        BenchServer server = behaviour == Behaviour.HTTP ? HttpRoutes.start(args[0], port)
                : behaviour == Behaviour.UDP_ECHO ? UdpEchoServers.start(args[0], port) : switch (args[0]) {
            // the backend: flowsock.transport
            case "flowsock", "flowsock-uring", "flowsock-nio2-jdk25" -> FlowsockServer.start(behaviour, port, context, false);
            case "flowsock-taps-off" -> FlowsockServer.start(behaviour, port, context, true);
            case "reactor-netty-epoll" -> ReactorNettyServer.start(behaviour, port, ReactorNettyServer.Native.EPOLL, keys);
            case "reactor-netty-uring" -> ReactorNettyServer.start(behaviour, port, ReactorNettyServer.Native.IO_URING, keys);
            case "reactor-netty-nio" -> ReactorNettyServer.start(behaviour, port, ReactorNettyServer.Native.NONE, keys);
            case "jdk-nio2" -> {
                if (tls != null) {
                    throw new IllegalArgumentException("jdk-nio2 speaks no TLS");
                }
                yield JdkNio2Server.start(behaviour, port);
            }
            default -> throw new IllegalArgumentException("unknown contender: " + args[0]);
        };
        System.out.println(Protocol.READY + " " + server.describe());
        System.out.flush();
        Recording recording = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals(Protocol.CMD_HEAP)) {
                    reply(Protocol.HEAP + " " + usedHeapAfterGc());
                } else if (line.equals(Protocol.CMD_CPU)) {
                    reply(Protocol.CPU + " " + processCpuNanos());
                } else if (line.equals(Protocol.CMD_CONNS)) {
                    reply(Protocol.CONNS + " " + server.connections());
                } else if (line.startsWith(Protocol.CMD_JFR_START)) {
                    // started here, at the runner's word, rather than with -XX:StartFlightRecording, so
                    // that the file holds the timed phase only; the warm-up's recording is discarded
                    if (recording != null) {
                        recording.close();
                    }
                    String file = line.substring(Protocol.CMD_JFR_START.length()).trim();
                    recording = FlightRecording.start(file.isEmpty() ? null : Path.of(file));
                    reply(Protocol.JFR + " recording");
                } else if (line.equals(Protocol.CMD_JFR_STOP) && recording != null) {
                    recording.stop();   // writes the destination
                    recording.close();
                    recording = null;
                    reply(Protocol.JFR + " written");
                } else if (line.equals(Protocol.CMD_QUIT)) {
                    break;
                }
            }
        } finally {
            server.close();
        }
        System.exit(0);   // the contenders' threads may be non-daemon; the runner waits for this exit
    }

    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /**
     * This JVM's own CPU time, every thread, user plus system: the runner's second reading of
     * what it reads from /proc/&lt;pid&gt;/stat, taken from inside the process it is meant to measure.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Used heap after two full collections: the live set, not the garbage waiting for one. */
    private static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
