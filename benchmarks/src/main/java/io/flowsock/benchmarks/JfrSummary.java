package io.flowsock.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a recording's Java threads spent their CPU: the {@code jdk.ExecutionSample} events of a
 * {@code --profile} file, by top frame (with the nearest flowsock, Netty or Reactor frame under a
 * JDK one, to say whose call it is), by layer of the top frame and by thread; the native samples
 * (threads in a syscall or blocked) by top frame; the allocation samples by top frame; and the
 * garbage collections. What {@code jfr view hot-methods} shows, plus the layers the Profiles
 * section of docs/benchmarks.md needs.
 *
 * <pre>
 * java -cp &lt;benchmarks class path&gt; io.flowsock.benchmarks.JfrSummary [--top N] FILE.jfr ...
 * </pre>
 *
 * Execution samples see Java code only: time in the kernel (syscalls, the TCP stack) shows as
 * the system time of the run's CPU window and, with --perf, as perf's syscall counts and samples.
 */
public final class JfrSummary {
    /** The layers a top frame is put in, by class name prefix; the first that matches wins. */
    private static final List<String[]> LAYERS = List.of(
            new String[] {"io.flowsock.benchmarks.", "benchmark"},
            new String[] {"io.flowsock.", "flowsock"},
            new String[] {"io.netty.", "Netty"},
            new String[] {"reactor.", "Reactor"},
            new String[] {"org.reactivestreams.", "Reactor"},
            new String[] {"sun.nio.ch.", "JDK NIO"},
            new String[] {"java.nio.", "JDK NIO"},
            new String[] {"jdk.internal.foreign.", "JDK FFM/invoke"},
            new String[] {"java.lang.foreign.", "JDK FFM/invoke"},
            new String[] {"java.lang.invoke.", "JDK FFM/invoke"},
            new String[] {"java.util.concurrent.", "JDK concurrency"},
            new String[] {"jdk.internal.misc.Unsafe", "JDK concurrency"},
            new String[] {"java.lang.Thread", "JDK concurrency"});

    /** The server JVM's main thread after start-up: it reads the runner's commands (and starts JFR). */
    private static final String CONTROL_LOOP = "io.flowsock.benchmarks.server.ServerMain.main";

    private JfrSummary() {
    }

    /** What one recording holds, counted; the harness's own control loop left out. */
    static final class Digest {
        final Map<String, Long> frames = new HashMap<>();
        final Map<String, Long> layers = new HashMap<>();
        final Map<String, Long> threads = new HashMap<>();
        final Map<String, Long> natives = new HashMap<>();
        final Map<String, Long> allocations = new HashMap<>();
        final Map<String, Long> collections = new HashMap<>();
        long samples;
        long nativeSamples;
        long allocated;
        long gcCount;
        Duration gcPauses = Duration.ZERO;
        Duration longestPause = Duration.ZERO;

        /** The {@code n} largest entries of {@code counts}, as "key share" with the share of {@code total}. */
        static String top(Map<String, Long> counts, long total, int n) {
            return sorted(counts).limit(n).map(e -> e.getKey() + " " + percent(e.getValue(), total))
                    .collect(Collectors.joining(", "));
        }
    }

    public static void main(String[] args) throws IOException {
        int top = 12;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--top") && i + 1 < args.length) {
                top = Integer.parseInt(args[++i]);
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: JfrSummary [--top N] FILE.jfr ...");
            System.exit(2);
        }
        for (Path f : files) {
            System.out.print("## " + f.getFileName() + "\n\n" + markdown(read(f), top) + "\n");
        }
    }

    /** Counts the samples, allocations and collections of one file. */
    static Digest read(Path file) throws IOException {
        Digest d = new Digest();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            RecordedStackTrace stack = e.getStackTrace();
            if (type.equals("jdk.GarbageCollection")) {
                d.gcCount++;
                d.collections.merge(e.getString("name"), 1L, Long::sum);
                d.gcPauses = d.gcPauses.plus(e.getDuration("sumOfPauses"));
                Duration longest = e.getDuration("longestPause");
                d.longestPause = longest.compareTo(d.longestPause) > 0 ? longest : d.longestPause;
                continue;
            }
            if (stack == null || stack.getFrames().isEmpty()
                    || stack.getFrames().stream().anyMatch(f -> method(f).equals(CONTROL_LOOP))) {
                continue;   // the server's stdin loop answering the runner: harness, not server
            }
            String site = method(stack.getFrames().get(0)) + via(stack);
            switch (type) {
                case "jdk.ExecutionSample" -> {
                    d.samples++;
                    d.frames.merge(site, 1L, Long::sum);
                    d.layers.merge(layer(method(stack.getFrames().get(0))), 1L, Long::sum);
                    RecordedThread t = e.getThread("sampledThread");
                    d.threads.merge(t == null ? "?" : threadKind(t.getJavaName()), 1L, Long::sum);
                }
                case "jdk.NativeMethodSample" -> {
                    d.nativeSamples++;
                    d.natives.merge(site, 1L, Long::sum);
                }
                case "jdk.ObjectAllocationSample" -> {
                    long weight = e.getLong("weight");
                    d.allocated += weight;
                    d.allocations.merge(site, weight, Long::sum);
                }
                default -> {
                    // other events of the "profile" settings are in the file for jfr print and JMC
                }
            }
        }
        return d;
    }

    /** A digest as Markdown tables, {@code top} rows for frames and layers, fewer for the rest. */
    static String markdown(Digest d, int top) {
        StringBuilder s = new StringBuilder();
        s.append(d.samples).append(" execution samples\n\n| top frame | share |\n|---|---:|\n");
        table(s, d.frames, d.samples, top);
        s.append("\n| layer of the top frame | share |\n|---|---:|\n");
        table(s, d.layers, d.samples, top);
        s.append("\n| thread | share |\n|---|---:|\n");
        table(s, d.threads, d.samples, Math.min(top, 6));
        s.append(String.format(Locale.ROOT, "%n%d native samples (threads in native code: a syscall, or blocked)%n%n"
                + "| native top frame | share |%n|---|---:|%n", d.nativeSamples));
        table(s, d.natives, d.nativeSamples, Math.min(top, 6));
        s.append(String.format(Locale.ROOT, "%nallocated (sampled weight) %.1f MiB%n%n| allocation site | share |%n"
                + "|---|---:|%n", d.allocated / (1024.0 * 1024.0)));
        table(s, d.allocations, d.allocated, Math.min(top, 6));
        s.append(String.format(Locale.ROOT, "%n%d garbage collections%s, pauses %.1f ms in all, longest %.1f ms%n",
                d.gcCount, d.collections.isEmpty() ? "" : " (" + Digest.top(d.collections, d.gcCount, 4) + ")",
                d.gcPauses.toNanos() / 1e6, d.longestPause.toNanos() / 1e6));
        return s.toString();
    }

    private static void table(StringBuilder s, Map<String, Long> counts, long total, int top) {
        sorted(counts).limit(top).forEach(e -> s.append("| ").append(e.getKey()).append(" | ")
                .append(percent(e.getValue(), total)).append(" |\n"));
    }

    private static java.util.stream.Stream<Map.Entry<String, Long>> sorted(Map<String, Long> counts) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey()));
    }

    private static String percent(long part, long total) {
        return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / Math.max(total, 1));
    }

    private static String method(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /** Under a JDK top frame, the nearest frame of a library (flowsock, Netty, Reactor) or of the benchmark. */
    private static String via(RecordedStackTrace stack) {
        List<RecordedFrame> fs = stack.getFrames();
        if (!isJdk(method(fs.get(0)))) {
            return "";
        }
        for (RecordedFrame f : fs) {
            String m = method(f);
            if (!isJdk(m)) {
                return " ← " + m;
            }
        }
        return "";
    }

    private static boolean isJdk(String method) {
        return layer(method).contains("JDK");
    }

    static String layer(String method) {
        for (String[] l : LAYERS) {
            if (method.startsWith(l[0])) {
                return l[1];
            }
        }
        return method.startsWith("java.") || method.startsWith("jdk.") || method.startsWith("sun.")
                ? "other JDK" : "other";
    }

    /** Pool threads by their pool: digits become # ("reactor-tcp-epoll-2" is "reactor-tcp-epoll-#"). */
    static String threadKind(String name) {
        return name == null ? "?" : name.replaceAll("[0-9]+", "#");
    }
}
