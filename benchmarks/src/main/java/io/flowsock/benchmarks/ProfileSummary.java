package io.flowsock.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A --profile run's summary, {@code DIR/<run>-summary.md}, and its line of {@code DIR/profiles.md}:
 * the run's CPU figures, the server's JFR digest over the timed phase, perf's syscall counts and
 * hottest symbols where it ran, and the load's hottest frames, so that a reader sees whose code
 * the server's time went to and whether the load generator was the limit.
 */
final class ProfileSummary {
    /** Rows of the frame and layer tables of the server; the load gets fewer. */
    static final int TOP = 10;
    private static final int LOAD_TOP = 5;
    private static final String INDEX_HEADER = "| run | server CPU s (user, sys) | window s | load CPU s "
            + "| JFR samples | top layers | hottest frame | syscalls per unit |\n|---|---:|---:|---:|---:|---|---|---:|\n";

    private ProfileSummary() {
    }

    /** Writes both; {@code counts} and {@code perfTop} are empty where perf did not run. */
    static void write(Run run, String tag, Path dir, Map<String, Long> counts, List<String> perfTop)
            throws IOException {
        Optional<JfrSummary.Digest> server = digest(dir.resolve(tag + "-server.jfr"));
        Optional<JfrSummary.Digest> load = digest(dir.resolve(tag + "-load.jfr"));
        StringBuilder s = new StringBuilder("# " + tag + "\n\n");
        s.append(String.format(Locale.ROOT, "%s against %s, round %d: server CPU %s s (user %s, system %s, "
                        + "JIT %s, GC %s) over a %s s timed phase; load CPU %s s. Profiled: the figures carry "
                        + "the profilers' cost.%n", run.scenario.id, run.contender.id, run.round, value(run, "cpu_s"),
                value(run, "cpu_user_s"), value(run, "cpu_sys_s"), value(run, "cpu_jit_s"), value(run, "cpu_gc_s"),
                value(run, "window_s"), value(run, "load_cpu_s")));
        if (!run.problems.isEmpty()) {
            s.append("\nproblems: ").append(String.join("; ", run.problems)).append('\n');
        }
        s.append("\n## server: JFR over the timed phase (").append(tag).append("-server.jfr)\n\n");
        s.append(server.map(d -> JfrSummary.markdown(d, TOP)).orElse("no recording\n"));
        if (!counts.isEmpty()) {
            s.append("\n## server: perf stat over the timed phase (").append(tag).append("-server.perf.txt)\n\n")
                    .append(syscalls(run, counts)).append('\n');
        }
        if (!perfTop.isEmpty()) {
            s.append("\n## server: perf record, cpu-clock at ").append(Perf.HZ).append(" Hz over the timed phase ("
                    + tag + "-server.perf-report.txt)\n\n```\n").append(String.join("\n", perfTop)).append("\n```\n");
        }
        s.append("\n## load: JFR over its whole life (").append(tag).append("-load.jfr)\n\n");
        s.append(load.map(d -> String.format(Locale.ROOT, "%d execution samples; top frames: %s%n%nlayers: %s; "
                        + "threads: %s%n", d.samples, JfrSummary.Digest.top(d.frames, d.samples, LOAD_TOP),
                JfrSummary.Digest.top(d.layers, d.samples, LOAD_TOP),
                JfrSummary.Digest.top(d.threads, d.samples, LOAD_TOP))).orElse("no recording\n"));
        Files.writeString(dir.resolve(tag + "-summary.md"), s, StandardCharsets.UTF_8);
        Profile.appendRow(dir, "profiles.md", INDEX_HEADER, String.format(Locale.ROOT,
                "| %s | %s (%s, %s) | %s | %s | %s | %s | %s | %s |%n", tag, value(run, "cpu_s"),
                value(run, "cpu_user_s"), value(run, "cpu_sys_s"), value(run, "window_s"), value(run, "load_cpu_s"),
                server.map(d -> Long.toString(d.samples)).orElse("—"),
                server.map(d -> JfrSummary.Digest.top(d.layers, d.samples, 3)).orElse("—"),
                server.map(d -> JfrSummary.Digest.top(d.frames, d.samples, 1)).orElse("—"),
                counts.containsKey("raw_syscalls:sys_enter")
                        ? Report.number(counts.get("raw_syscalls:sys_enter") / units(run)) : "—"));
    }

    /** Context switches and syscalls in all and per unit, then the syscalls that were most of them. */
    static String syscalls(Run run, Map<String, Long> counts) {
        long all = counts.getOrDefault("raw_syscalls:sys_enter", 0L);
        Map<String, Long> named = new LinkedHashMap<>();
        for (String name : Perf.SYSCALLS) {
            named.put(name, counts.getOrDefault(name, 0L));
        }
        named.put("other_syscalls", counts.getOrDefault("other_syscalls", 0L));
        named.values().removeIf(v -> v == 0);
        double units = units(run);
        return String.format(Locale.ROOT, "task-clock %s ms, context switches %s (%s per unit), syscalls %s "
                        + "(%s per unit; units: %s)%n%ntop syscalls: %s", Report.number(counts.getOrDefault("task-clock", 0L)),
                Report.number(counts.getOrDefault("context-switches", 0L)),
                Report.number(counts.getOrDefault("context-switches", 0L) / units), Report.number(all),
                Report.number(all / units), Report.number(units), JfrSummary.Digest.top(named, all, 8));
    }

    private static double units(Run run) {
        return run.values.getOrDefault("cpu_units", Double.NaN);
    }

    private static String value(Run run, String key) {
        Double v = run.values.get(key);
        return v == null || v.isNaN() ? "—" : Report.number(v);
    }

    private static Optional<JfrSummary.Digest> digest(Path file) throws IOException {
        return Files.isRegularFile(file) && Files.size(file) > 0 ? Optional.of(JfrSummary.read(file)) : Optional.empty();
    }
}
