package io.flowsock.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The runner: every scenario, contenders interleaved A B C D A B C D for the rounds, each
 * measurement in fresh server and load JVMs; prints the Markdown table and writes it to --out.
 *
 * <pre>
 * java -cp &lt;module class path&gt; io.flowsock.benchmarks.Bench [--quick] [--rounds N] [--out FILE]
 *      [--scenarios hello,storm,...,tls-stream,...,http-keepalive,...,webflux-hello,...] [--contenders flowsock,reactor-netty-epoll,...] [--verify-cpu]
 *      [--port-base N] [--profile DIR [--perf]]
 * </pre>
 *
 * {@code --profile DIR} records each run's server over the timed phase with JFR, and the load JVM
 * too; {@code --perf} adds perf stat counters and perf record samples of the server, and each run
 * gets a summary in DIR (see {@link Profile}). Off by default: profiled figures carry the profilers' cost.
 *
 * Exits 1 when any flowsock run had an error (a failed connect, a lost greeting, a wrong byte, a
 * crashed or hung child) or the harness itself was at fault in any run (two CPU readings that
 * disagree, a port someone else listens on), never because of a ratio; 2 on bad arguments.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws IOException {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (Bench.class.getClassLoader() != ClassLoader.getSystemClassLoader()) {
            // exec:java and the like: java.class.path is not ours, so the child JVMs could not start
            System.err.println("run Bench on its own class path (exec:exec or java -cp), not inside another JVM");
            System.exit(2);
        }
        if (o.contenders.stream().anyMatch(Contender::isUring)) {
            Optional<String> why = UringRuntime.unavailable();
            if (why.isPresent()) {
                System.out.println("skipping the io_uring contenders of flowsock: " + why.get());
                o.contenders = o.contenders.stream().filter(c -> !c.isUring()).toList();
            }
        }
        if (o.contenders.stream().anyMatch(c -> c.newJdk) && !Files.isExecutable(UringRuntime.java())) {
            System.out.println("skipping the contenders on the JDK 22+: none at " + UringRuntime.java()
                    + " (set -Dbench.uring.java)");
            o.contenders = o.contenders.stream().filter(c -> !c.newJdk).toList();
        }
        if (o.contenders.stream().anyMatch(Contender::isNettyUring)) {
            Optional<String> why = NettyUring.unavailable();
            if (why.isPresent()) {
                System.out.println("skipping the reactor-netty-uring contenders: " + why.get());
                o.contenders = o.contenders.stream().filter(c -> !c.isNettyUring()).toList();
            }
        }
        if (o.contenders.stream().anyMatch(Contender::isWebflux)) {
            Optional<String> why = WebfluxRuntime.unavailable();
            if (why.isPresent()) {
                System.out.println("skipping the webflux- contenders: " + why.get());
                o.contenders = o.contenders.stream().filter(c -> !c.isWebflux()).toList();
            }
        }
        o.scenarios = HttpScenarios.available(o.scenarios);
        Path logDir = Path.of("target", "bench-logs");
        Measurement measurement = new Measurement(new Measurement.Settings(o.quick,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"), ProcStats.clockTicks(), logDir, o.verifyCpu, o.portBase,
                profile(o), tlsFiles(o.scenarios)));
        String header = header(o);
        System.out.println(header);
        long t0 = System.nanoTime();
        List<Run> runs = new ArrayList<>();
        for (Scenario s : o.scenarios) {
            for (int round = 1; round <= o.rounds; round++) {
                for (Contender c : o.contenders) {
                    if (!runs(s, c, o) || !HttpScenarios.runs(s, c, o.quick && !o.contendersNamed)) {
                        continue;   // its column stays "—"
                    }
                    Run run = measurement.run(s, c, round);
                    runs.add(run);
                    System.out.println(progress(run));
                }
            }
        }
        double minutes = (System.nanoTime() - t0) / 60e9;
        String table = new Report(runs, o.scenarios, o.contenders).table();
        String footer = String.format(Locale.ROOT, "%n%sTotal time %.1f min. Child logs: %s%n", negotiated(runs),
                minutes, logDir.toAbsolutePath());
        System.out.println();
        System.out.print(table);
        System.out.print(footer);
        if (o.out != null) {
            Path parent = o.out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.writeString(o.out, header + "\n" + table + footer, StandardCharsets.UTF_8);
            System.out.println("Written to " + o.out.toAbsolutePath());
        }
        double errors = 0;
        double othersErrors = 0;
        int harnessFaults = 0;
        for (Run r : runs) {
            harnessFaults += r.harnessFaults.size();
            if (r.contender.isFlowsock()) {
                errors += r.errors();
            } else {
                othersErrors += r.errors();
            }
            for (String p : r.problems) {
                System.out.println("  " + r.scenario.id + " r" + r.round + " " + r.contender.id + ": " + p);
            }
        }
        if (othersErrors > 0) {
            System.out.println("other contenders: " + Report.number(othersErrors)
                    + " errors (reported in the table; they do not fail the run)");
        }
        if (harnessFaults > 0) {
            System.out.println("FAILED: the harness was at fault in " + harnessFaults
                    + " runs (see above): their figures cannot be trusted");
        }
        if (errors > 0) {
            System.out.println("FAILED: flowsock had " + Report.number(errors) + " errors (see above)");
        }
        if (errors > 0 || harnessFaults > 0) {
            System.exit(1);
        }
        System.exit(0);
    }

    /**
     * What the progress line adds to a run's table figures: the server CPU window, split up, the
     * load's CPU over the same window, and with --perf the server's context switches and syscalls.
     */
    private static final List<String> DIAGNOSTICS = List.of("cpu_s", "cpu_user_s", "cpu_sys_s", "cpu_jit_s",
            "cpu_gc_s", "page_faults", "cpu_self_s", "warm_passes", "jit_settle_ms", "window_s", "load_cpu_s",
            "perf_context-switches", "perf_raw_syscalls:sys_enter");

    /**
     * Who runs the TLS scenarios in quick mode when --contenders is not given: each run costs two
     * JVM starts and a few seconds, and quick mode is the smoke test CI runs, where only flowsock's
     * errors fail it, so flowsock's two backends only (TlsScenariosTest runs Reactor Netty too).
     */
    static final List<Contender> QUICK_TLS = List.of(Contender.FLOWSOCK, Contender.FLOWSOCK_URING);

    /**
     * Whether {@code c} runs {@code s}: the WebFlux application runs the webflux- scenarios and
     * nothing else does, a TLS scenario needs TLS, and quick mode's default is QUICK_TLS.
     */
    private static boolean runs(Scenario s, Contender c, Options o) {
        if (s.isWebflux() != c.isWebflux()) {
            return false;
        }
        if (s.behaviour == io.flowsock.benchmarks.server.Behaviour.UDP_ECHO && c == Contender.JDK_NIO2) {
            return false;                  // the plain NIO.2 floor is a TCP server
        }
        return !s.tls || c.speaksTls() && (!o.quick || o.contendersNamed || QUICK_TLS.contains(c));
    }

    /** The run's key and trust in a fresh temporary directory when a TLS scenario runs; removed at exit. */
    private static Optional<Path> tlsFiles(List<Scenario> scenarios) throws IOException {
        if (scenarios.stream().noneMatch(s -> s.tls)) {
            return Optional.empty();
        }
        Path dir = Files.createTempDirectory("flowsock-bench-tls");
        dir.toFile().deleteOnExit();   // registered first, so deleted last, once it is empty
        TlsFiles.write(dir);
        try (var files = Files.list(dir)) {
            files.forEach(f -> f.toFile().deleteOnExit());
        }
        return Optional.of(dir);
    }

    /**
     * What the TLS runs negotiated, once: one line when every run agrees, the runs of each
     * outcome when they do not (a contender that negotiated something else is not comparable).
     */
    static String negotiated(List<Run> runs) {
        Map<String, List<String>> by = new TreeMap<>();
        for (Run r : runs) {
            if (r.scenario.tls) {
                by.computeIfAbsent(r.negotiated == null ? "nothing reported" : r.negotiated, k -> new ArrayList<>())
                        .add(r.scenario.id + " r" + r.round + " " + r.contender.id);
            }
        }
        if (by.isEmpty()) {
            return "";
        }
        if (by.size() == 1) {
            Map.Entry<String, List<String>> only = by.entrySet().iterator().next();
            return "TLS: every TLS run (" + only.getValue().size() + ") negotiated " + only.getKey() + ".\n";
        }
        StringBuilder s = new StringBuilder("TLS: the runs did NOT all negotiate the same:\n");
        by.forEach((k, v) -> s.append("- ").append(k).append(": ").append(String.join(", ", v)).append('\n'));
        return s.toString();
    }

    /** --profile and --perf: where the recordings go; perf left out, with the reason, where it cannot count. */
    private static Optional<Profile.Settings> profile(Options o) throws IOException {
        if (o.profile == null) {
            return Optional.empty();
        }
        Files.createDirectories(o.profile);
        boolean perf = o.perf;
        if (perf) {
            Optional<String> why = Perf.unavailable();
            if (why.isPresent()) {
                System.out.println("--perf: not counting, " + why.get());
                perf = false;
            }
        }
        System.out.println("profiling into " + o.profile.toAbsolutePath() + (perf ? " (JFR, perf stat and perf record)" : " (JFR)")
                + ": the figures of profiled runs carry the profilers' cost");
        return Optional.of(new Profile.Settings(o.profile, perf));
    }

    private static String progress(Run r) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-11s r%d %-19s", r.scenario.id, r.round,
                r.contender.id));
        for (Scenario.Metric m : r.scenario.metrics) {
            Double v = r.values.get(m.key());
            s.append(' ').append(m.key()).append('=').append(v == null || v.isNaN() ? "—" : Report.number(v));
        }
        for (String k : DIAGNOSTICS) {
            Double v = r.values.get(k);
            if (v != null && !v.isNaN()) {
                s.append(' ').append(k).append('=').append(Report.number(v));
            }
        }
        s.append(String.format(Locale.ROOT, " errors=%s (%.1f s)", Report.number(r.errors()), r.seconds));
        for (String fault : r.harnessFaults) {
            s.append("\n  ").append(fault);
        }
        return s.toString();
    }

    private static String header(Options o) {
        String kernel;
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            kernel = "?";
        }
        return "# flowsock vs Reactor Netty (" + (o.quick ? "quick" : "full") + " mode, " + o.rounds
                + (o.rounds == 1 ? " round" : " rounds") + ")\n\n"
                + "- " + Instant.now() + ", Linux " + kernel + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, Java " + System.getProperty("java.version") + "\n"
                + "- reactor-netty-core " + version(reactor.netty.tcp.TcpServer.class) + ", Netty "
                + version(io.netty.channel.Channel.class) + ", reactor-netty-http "
                + version(reactor.netty.http.server.HttpServer.class) + " (the plain contenders)\n"
                + (o.contenders.stream().anyMatch(Contender::isWebflux) ? "- webflux- contenders: " + WebfluxRuntime.versions()
                + "\n" : "")
                + "- server JVM " + String.join(" ", Measurement.SERVER_JVM) + "; load JVM "
                + String.join(" ", Measurement.LOAD_JVM) + "; loopback 127.0.0.1; "
                + java.util.Arrays.stream(Scenario.values()).filter(s -> s.pinned).map(s -> s.id)
                        .collect(java.util.stream.Collectors.joining(", ")) + ": server and load pinned to CPU 0; "
                + java.util.Arrays.stream(Scenario.values()).filter(s -> s.placement == Scenario.Placement.SPLIT)
                        .map(s -> s.id).collect(java.util.stream.Collectors.joining(", "))
                + ": load on CPU 0, server on CPU " + Measurement.cpus(Scenario.Placement.SPLIT, true) + "\n"
                + (o.verifyCpu ? "- --verify-cpu: every CPU window read twice, from /proc/<pid>/stat and by the server "
                + "itself; more than 15 % apart fails the run\n" : "")
                + "- cells: median [min–max] over the rounds; ÷ columns: median ÷ the median of the contender "
                + "named after ÷ (Reactor Netty on the same JDK where it runs); ↑ higher is better, ↓ lower is better\n";
    }

    private static String version(Class<?> c) {
        String v = c.getPackage().getImplementationVersion();
        return v != null ? v : "?";
    }

    /** The command line. */
    static final class Options {
        static final String USAGE = "usage: Bench [--quick] [--rounds N] [--out FILE] "
                + "[--scenarios " + String.join(",", Arrays.stream(Scenario.values()).map(s -> s.id).toList()) + "] "
                + "[--contenders " + String.join(",", Arrays.stream(Contender.values()).map(c -> c.id).toList()) + "] "
                + "[--verify-cpu] [--port-base N] [--profile DIR [--perf]]";
        boolean quick;
        boolean verifyCpu;
        boolean perf;
        Path profile;
        int portBase = Scenario.PORT_BASE;
        int rounds = -1;
        Path out;
        List<Scenario> scenarios = Scenario.defaults();
        List<Contender> contenders;
        boolean contendersNamed;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> o.quick = true;
                    case "--full" -> o.quick = false;
                    case "--verify-cpu" -> o.verifyCpu = true;
                    case "--port-base" -> o.portBase = Integer.parseInt(value(args, ++i, a));
                    case "--rounds" -> o.rounds = Integer.parseInt(value(args, ++i, a));
                    case "--out" -> o.out = Path.of(value(args, ++i, a));
                    case "--profile" -> o.profile = Path.of(value(args, ++i, a));
                    case "--perf" -> o.perf = true;
                    case "--scenarios" -> o.scenarios = Arrays.stream(value(args, ++i, a).split(","))
                            .map(Scenario::parse).toList();
                    case "--contenders" -> {
                        o.contenders = Arrays.stream(value(args, ++i, a).split(",")).map(Contender::parse).toList();
                        o.contendersNamed = true;
                    }
                    default -> throw new IllegalArgumentException("unknown argument: " + a);
                }
            }
            if (o.contenders == null) {
                o.contenders = Contender.defaults(o.scenarios.stream().allMatch(Scenario::isWebflux));
            }
            if (o.rounds == -1) {
                o.rounds = o.quick ? 1 : 3;
            }
            if (o.portBase < 1024 || o.portBase + Scenario.PORT_STRIDE * Scenario.values().length > 32768) {
                throw new IllegalArgumentException("--port-base must leave every port in 1024-32767, was " + o.portBase);
            }
            if (o.perf && o.profile == null) {
                throw new IllegalArgumentException("--perf needs --profile DIR: its counts are written there");
            }
            if (o.rounds < 1) {
                throw new IllegalArgumentException("--rounds must be >= 1, was " + o.rounds);
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }
}
