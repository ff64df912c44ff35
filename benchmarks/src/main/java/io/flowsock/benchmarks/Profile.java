package io.flowsock.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code --profile DIR}: what one run records besides its figures. The server's JFR recording over
 * the timed phase ({@code <run>-server.jfr}, JFR's "profile" settings, started and stopped by the
 * server on the runner's word at the window's edges); the load's JFR recording over its whole life
 * ({@code <run>-load.jfr}, to tell whether the load generator is the limit). With {@code --perf},
 * over the same phase: perf stat counters of the server ({@code <run>-server.perf.txt}), counted
 * per unit of the scenario into the run's values and a line of {@code DIR/perf.md}; and perf
 * record's cpu-clock samples of it ({@code <run>-server.perf.data}, reported by thread, shared
 * object and symbol in {@code <run>-server.perf-report.txt}), which see the kernel and the JVM's
 * own code where JFR sees Java frames only.
 *
 * <p>Once the server has exited, {@code <run>-summary.md} says in short where the time went:
 * the run's CPU figures, the server's hottest Java frames, layers, threads, allocation sites and
 * collections ({@link JfrSummary}), perf's syscall counts and hottest symbols, and the load's
 * hottest frames; {@code DIR/profiles.md} gets a line per run with the headline of each.
 *
 * <p>Off by default: JFR's sampling and perf's tracepoints cost the server CPU, so the figures of
 * a profiled run show where the time goes, not how much there is. {@link JfrSummary} summarises
 * any recording at more length.
 *
 * <p>Runs only on the runner's main thread, one instance per run.
 */
final class Profile implements AutoCloseable {
    /** Where the files go, and whether perf stat counts too. */
    record Settings(Path dir, boolean perf) {
    }

    private final Settings settings;
    private final String tag;
    private final Child server;
    private Perf stat;
    private Perf record;
    /** perf stat's counts once it has stopped; perf record's data is complete once {@code recorded}. */
    private Map<String, Long> counts = Map.of();
    private boolean recorded;

    Profile(Settings settings, String tag, Child server) {
        this.settings = settings;
        this.tag = tag;
        this.server = server;
    }

    /** The server JVM's flags: with perf, its JIT symbols are written at exit for perf report. */
    static List<String> serverJvm(Settings settings) {
        return settings.perf() ? List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit") : List.of();
    }

    /** The load JVM's flags: it records itself, from its start to its result. */
    static List<String> loadJvm(Settings settings, String tag) {
        return List.of("-Dbench.load.jfr=" + settings.dir().resolve(tag + "-load.jfr").toAbsolutePath());
    }

    /**
     * Once the server is up, before the load starts: a recording of the warm-up, never written, so
     * that JFR's own code is compiled by the time the window waits for the JIT to settle.
     */
    void beforeWarmUp() throws IOException, InterruptedException {
        startRecording("");
    }

    /**
     * Before the CPU window opens (and before it waits for the JIT to settle): the server starts
     * the timed phase's recording, perf attaches counting nothing.
     */
    void beforeWindow() throws IOException, InterruptedException {
        startRecording(" " + file("-server.jfr"));
        if (settings.perf()) {
            stat = Perf.stat(server.pid(), file("-server.perf.txt"));
            record = Perf.record(server.pid(), file("-server.perf.data"));
        }
    }

    private void startRecording(String file) throws IOException, InterruptedException {
        server.send(Protocol.CMD_JFR_START + file);
        if (server.await(Protocol.JFR, 30_000) == null) {
            throw new IOException("server did not start a JFR recording");
        }
    }

    /** Right after the window's first reading. */
    void windowOpened() throws IOException, InterruptedException {
        if (stat != null) {
            stat.enable();
            record.enable();
        }
    }

    /** Right before the window's last reading. */
    void windowClosing() throws IOException, InterruptedException {
        if (stat != null) {
            record.disable();
            stat.disable();
        }
    }

    /** After the window: the server writes its recording. */
    void afterWindow() throws IOException, InterruptedException {
        server.send(Protocol.CMD_JFR_STOP);
        if (server.await(Protocol.JFR, 60_000) == null) {
            throw new IOException("server did not write its JFR recording");
        }
    }

    /**
     * perf's counts into the run as {@code perf_<event>} (syscalls under their bare names:
     * {@code perf_read}), and a line per run of {@code DIR/perf.md} with them per unit.
     */
    void putInto(Run run) throws IOException, InterruptedException {
        if (stat == null) {
            return;
        }
        stat.stop();
        record.stop();
        recorded = true;
        counts = Perf.withOtherSyscalls(stat.counts());
        counts.forEach((k, v) -> run.values.put("perf_" + k, (double) v));
        double units = run.values.getOrDefault("cpu_units", Double.NaN);
        String perUnit = counts.entrySet().stream().filter(e -> e.getValue() > 0 && !e.getKey().equals("task-clock"))
                .map(e -> e.getKey() + " " + Report.number(e.getValue() / units))
                .collect(Collectors.joining(", "));
        String line = String.format(Locale.ROOT, "| %s | %s | %s ms | %s |%n", tag, Report.number(units),
                Report.number(counts.getOrDefault("task-clock", 0L)), perUnit);
        appendRow(settings.dir(), "perf.md", "| run | units (GiB, round trips, exchanges, connections) | task-clock | per unit |\n"
                + "|---|---:|---:|---|\n", line);
    }

    /**
     * Once the server has exited and written its JIT symbols: perf record's report, then the
     * run's summary and its line of {@code DIR/profiles.md}.
     */
    void afterServerExit(Run run) throws IOException, InterruptedException {
        List<String> perfTop = List.of();
        if (recorded && Files.exists(file("-server.perf.data"))) {
            Perf.report(file("-server.perf.data"), file("-server.perf-report.txt"));
            Files.deleteIfExists(Path.of("/tmp", "perf-" + server.pid() + ".map"));   // read by the report
            perfTop = Perf.topOfReport(Files.readAllLines(file("-server.perf-report.txt")), 10);
        }
        ProfileSummary.write(run, tag, settings.dir(), counts, perfTop);
    }

    /** Appends {@code line} to {@code DIR/name}, which starts with {@code header} when new. */
    static void appendRow(Path dir, String name, String header, String line) throws IOException {
        Path table = dir.resolve(name);
        if (!Files.exists(table)) {
            Files.writeString(table, header, StandardCharsets.UTF_8);
        }
        Files.writeString(table, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private Path file(String suffix) {
        return settings.dir().resolve(tag + suffix).toAbsolutePath();
    }

    @Override
    public void close() {
        if (stat != null) {
            stat.close();
            record.close();
        }
    }
}
