package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.FlightRecording;
import io.flowsock.benchmarks.Protocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.IntSupplier;
import jdk.jfr.Recording;

/**
 * A server JVM's side of the conversation with the runner, the same for every server the runner
 * starts (plain contenders and the WebFlux application alike): {@code heap} prints
 * {@code HEAP <bytes used after GC>}, {@code conns} prints {@code CONNS <open connections>},
 * {@code cpu} prints {@code CPU <own process CPU nanoseconds>}, {@code jfr-start [file]} starts a
 * JFR recording (see {@link FlightRecording}), closing any before it unwritten, and prints
 * {@code JFR recording}, {@code jfr-stop} writes it to the file and prints {@code JFR written}.
 * {@link #obey} returns at {@code quit} or at the end of input, so a server never outlives a
 * runner that died without killing it. Runs on the server's main thread only.
 */
public final class ServerCommands {
    private ServerCommands() {
    }

    /** Answers stdin's commands until {@code quit} or its end; {@code connections}: what {@code conns} says. */
    public static void obey(IntSupplier connections) throws IOException {
        Recording recording = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals(Protocol.CMD_HEAP)) {
                    reply(Protocol.HEAP + " " + usedHeapAfterGc());
                } else if (line.equals(Protocol.CMD_CPU)) {
                    reply(Protocol.CPU + " " + processCpuNanos());
                } else if (line.equals(Protocol.CMD_CONNS)) {
                    reply(Protocol.CONNS + " " + connections.getAsInt());
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
            if (recording != null) {
                recording.close();
            }
        }
    }

    /** {@code READY <detail>}: bound and accepting; the runner checks the detail names the right server. */
    public static void ready(String detail) {
        reply(Protocol.READY + " " + detail);
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
