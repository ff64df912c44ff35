package io.flowsock.benchmarks.reliability;

import io.flowsock.benchmarks.Child;
import io.flowsock.benchmarks.Protocol;
import io.flowsock.benchmarks.load.LoadMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of the benchmarks' load generator ({@link LoadMain}) in its own JVM against a server in
 * this one: the client's sockets and file descriptors stay out of the process a test measures.
 * Answers each MARK line after the test's hook has looked at the server, collects the RESULT and
 * ERROR lines, and fails naming the load's last words when it does not exit cleanly in time.
 */
final class LoadRun {
    /** The load JVM: small, so that several may run beside a build on a 2-CPU machine. */
    private static final List<String> LOAD_JVM = List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC");
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** What the test does at a MARK, while the load waits for "go"; {@code mark} is the line after "MARK ". */
    interface Hook {
        void at(String mark) throws Exception;
    }

    /** The load's RESULT values and ERROR lines. */
    record Result(Map<String, Double> values, List<String> errors) {
        long num(String key) {
            Double v = values.get(key);
            if (v == null) {
                throw new AssertionError("the load reported no " + key + ": " + values);
            }
            return Math.round(v);
        }

        /** Every err_ value: each counts a failed connect, a lost greeting, a wrong byte... */
        long errorCount() {
            return values.entrySet().stream().filter(e -> e.getKey().startsWith("err_"))
                    .mapToLong(e -> Math.round(e.getValue())).sum();
        }

        @Override
        public String toString() {
            return values + (errors.isEmpty() ? "" : " errors " + errors);
        }
    }

    private LoadRun() {
    }

    /**
     * Runs {@code LoadMain <scenario> <port> deadline_ms=<deadlineMs> <args>}, which halts itself
     * at its deadline; waits 15 s more at the most.
     */
    static Result run(String scenario, int port, long deadlineMs, Hook hook, String... args) throws Exception {
        List<String> loadArgs = new ArrayList<>(List.of(scenario, Integer.toString(port), "deadline_ms=" + deadlineMs));
        loadArgs.addAll(List.of(args));
        String name = scenario + "-" + RUNS.incrementAndGet();
        Path log = Path.of("target", "reliability-logs", name + ".log");
        Map<String, Double> values = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        try (Child load = Child.start(name, Child.java(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                classpath(), LOAD_JVM, LoadMain.class.getName(), loadArgs), log)) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs + 15_000);
            for (String line = load.nextLine(left(deadline)); line != null; line = load.nextLine(left(deadline))) {
                String[] words = line.split(" ", 2);
                switch (words[0]) {
                    case Protocol.MARK -> {
                        try {
                            hook.at(words[1]);
                        } finally {
                            load.send(Protocol.GO);   // let the load finish and close its sockets either way
                        }
                    }
                    case Protocol.RESULT -> values.putAll(Protocol.values(words[1]));
                    case Protocol.ERROR -> errors.add(words[1]);
                    default -> errors.add("load said: " + line);
                }
            }
            Integer exit = load.ended() ? load.waitFor(10_000) : null;
            if (exit == null || exit != 0 || values.isEmpty()) {
                throw new AssertionError("load " + scenario + " " + String.join(" ", args) + " ended with exit "
                        + (exit == null ? "none (still running at its deadline)" : exit) + ", result " + values
                        + ", errors " + errors + "; see " + log.toAbsolutePath() + "\n" + load.logTail(15).indent(4));
            }
        }
        return new Result(values, errors);
    }

    private static long left(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /**
     * The test class path. Surefire runs tests from a manifest-only jar, so java.class.path names
     * that jar alone; it keeps the real path in surefire.test.class.path.
     */
    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
