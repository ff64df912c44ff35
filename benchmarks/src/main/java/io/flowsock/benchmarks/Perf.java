package io.flowsock.benchmarks;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code perf stat} counting, or {@code perf record} sampling, one server process over the timed
 * phase: started disabled ({@code -D -1}) before the phase, enabled and disabled through its
 * control FIFO, so the counts start and stop when the runner says and not whenever perf has
 * finished attaching; then stopped with SIGINT, on which it writes its figures.
 *
 * <p>perf attaches to the threads the process has after the warm-up; its task-clock against the
 * /proc window shows whether it counted all of the server's time.
 * Without hardware counters (as in most VMs) only software events and syscall tracepoints count,
 * and the samples are of cpu-clock.
 *
 * <p>Runs only on the runner's main thread, one instance per run.
 */
final class Perf implements AutoCloseable {
    static final Path PERF = Path.of("/usr/bin/perf");
    private static final List<String> EVENTS = List.of("task-clock", "context-switches", "cpu-migrations",
            "page-faults", "raw_syscalls:sys_enter");
    /**
     * The syscalls a socket server spends its time in, one tracepoint each: those that every
     * syscall tracepoint at once ({@code syscalls:sys_enter_*}) found in hello and stream on nio2
     * and epoll, and io_uring's. tgkill, getpid, rt_sigreturn and rt_sigsuspend, as many as each
     * other, are mostly JFR's sampler stopping threads (its cost, counted); the rest lands in
     * {@code other_syscalls}.
     */
    static final List<String> SYSCALLS = List.of("read", "write", "readv", "writev", "recvfrom", "sendto",
            "recvmsg", "sendmsg", "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "io_uring_enter",
            "futex", "accept", "accept4", "close", "shutdown", "getsockopt", "setsockopt", "getsockname",
            "getpeername", "fcntl", "timerfd_settime", "sched_yield", "clock_nanosleep", "mprotect", "madvise",
            "gettid", "tgkill", "getpid", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "sysinfo");
    private static final long ACK_MS = 10_000;
    /** perf record's sampling frequency: prime, so it does not beat with the kernel's 100 or 1000 Hz ticks. */
    static final int HZ = 997;
    private static final String END = "end-of-run";

    private final Process perf;
    private final Path out;
    private final Path fifos;
    private final RandomAccessFile ctl;
    private final RandomAccessFile ack;
    private final BlockingQueue<String> acks = new LinkedBlockingQueue<>();

    private Perf(Process perf, Path out, Path fifos, RandomAccessFile ctl, RandomAccessFile ack) {
        this.perf = perf;
        this.out = out;
        this.fifos = fifos;
        this.ctl = ctl;
        this.ack = ack;
        Thread reader = new Thread(this::readAcks, "perf-ack");
        reader.setDaemon(true);
        reader.start();
    }

    /** Why perf stat cannot count here (no binary, no permission, no tracepoints), or empty. */
    static Optional<String> unavailable() {
        if (!Files.isExecutable(PERF)) {
            return Optional.of(PERF + " is not there");
        }
        try {
            Process p = new ProcessBuilder(PERF.toString(), "stat", "-x", ";", "-e",
                    "task-clock,raw_syscalls:sys_enter", "--", "true").redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || said.contains("<not supported>")) {
                return Optional.of("perf stat cannot count syscalls here (perf_event_paranoid "
                        + read("/proc/sys/kernel/perf_event_paranoid") + "; run as root or lower it): "
                        + said.strip().lines().findFirst().orElse(""));
            }
        } catch (IOException e) {
            return Optional.of("perf stat failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
        return Optional.empty();
    }

    /** perf stat attached to {@code pid}, counting nothing yet; it writes its figures to {@code out}. */
    static Perf stat(long pid, Path out) throws IOException, InterruptedException {
        List<String> events = new ArrayList<>(EVENTS);
        SYSCALLS.stream().filter(Perf::traceable).forEach(s -> events.add("syscalls:sys_enter_" + s));
        return attach(List.of("stat", "-x", ";", "-e", String.join(",", events)), pid, out);
    }

    /**
     * perf record attached to {@code pid}, sampling nothing yet: cpu-clock at {@link #HZ} per
     * thread, no call graphs (JIT code keeps no frame pointers), into {@code out}.
     */
    static Perf record(long pid, Path out) throws IOException, InterruptedException {
        return attach(List.of("record", "-q", "-e", "cpu-clock", "-F", Integer.toString(HZ)), pid, out);
    }

    private static Perf attach(List<String> what, long pid, Path out) throws IOException, InterruptedException {
        Path fifos = Files.createTempDirectory("bench-perf");
        Path ctl = fifos.resolve("ctl");
        Path ack = fifos.resolve("ack");
        Process mk = new ProcessBuilder("mkfifo", ctl.toString(), ack.toString()).inheritIO().start();
        if (mk.waitFor() != 0) {
            throw new IOException("mkfifo failed in " + fifos);
        }
        List<String> cmd = new ArrayList<>(List.of(PERF.toString()));
        cmd.addAll(what);
        cmd.addAll(List.of("-D", "-1", "--control", "fifo:" + ctl + "," + ack, "-p", Long.toString(pid),
                "-o", out.toString()));
        Process perf = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile()).start();
        // read-write opens of a FIFO never block, whether or not perf has opened its end yet
        return new Perf(perf, out, fifos, new RandomAccessFile(ctl.toFile(), "rw"),
                new RandomAccessFile(ack.toFile(), "rw"));
    }

    void enable() throws IOException, InterruptedException {
        command("enable");
    }

    void disable() throws IOException, InterruptedException {
        command("disable");
    }

    private void command(String what) throws IOException, InterruptedException {
        ctl.write((what + "\n").getBytes(StandardCharsets.US_ASCII));
        String ack = acks.poll(ACK_MS, TimeUnit.MILLISECONDS);
        if (ack == null) {
            throw new IOException("perf did not acknowledge '" + what + "' within " + ACK_MS + " ms"
                    + (perf.isAlive() ? "" : " (it exited with " + perf.exitValue() + ")"));
        }
    }

    /** Stops perf: on SIGINT it writes its figures and exits. */
    void stop() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).inheritIO().start().waitFor();
        if (!perf.waitFor(30, TimeUnit.SECONDS)) {
            throw new IOException("perf did not stop on SIGINT");
        }
    }

    /** After {@link #stop()}, perf stat's figures: event to count, syscalls under their bare names ("read"). */
    Map<String, Long> counts() throws IOException {
        return parse(Files.readAllLines(out, StandardCharsets.UTF_8));
    }

    /**
     * perf report of a recording, once the server has exited and written its JIT symbols
     * (-XX:+DumpPerfMapAtExit): the share of samples by thread and shared object, then by symbol.
     */
    static void report(Path data, Path text) throws IOException, InterruptedException {
        StringBuilder s = new StringBuilder();
        for (String sort : List.of("comm,dso", "dso,sym")) {
            Process p = new ProcessBuilder(PERF.toString(), "report", "-i", data.toString(), "--stdio", "--sort", sort,
                    "--percent-limit", "0.5").redirectErrorStream(true).start();
            s.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            p.waitFor(60, TimeUnit.SECONDS);
        }
        Files.writeString(text, s, StandardCharsets.UTF_8);
    }

    /**
     * Whether this kernel has a tracepoint for syscall {@code name} (epoll_pwait2 is 5.11+): perf
     * stat refuses the whole list for one it does not know. Where tracefs cannot be read, yes.
     */
    private static boolean traceable(String name) {
        for (String root : List.of("/sys/kernel/tracing", "/sys/kernel/debug/tracing")) {
            Path events = Path.of(root, "events", "syscalls");
            if (Files.isDirectory(events)) {
                return Files.isDirectory(events.resolve("sys_enter_" + name));
            }
        }
        return true;
    }

    /**
     * The first {@code n} entries of each table of a {@link #report} text, under the table's
     * column heading ("Overhead  Command  Shared Object"), blanks folded.
     */
    static List<String> topOfReport(List<String> lines, int n) {
        List<String> out = new ArrayList<>();
        int taken = n;
        for (String line : lines) {
            if (line.startsWith("# Overhead")) {
                out.add(line.substring(1).strip().replaceAll("\\s{2,}", " | "));
                taken = 0;
            } else if (!line.startsWith("#") && !line.isBlank() && line.contains("%") && taken < n) {
                out.add("  " + line.strip().replaceAll("\\s{2,}", "  "));
                taken++;
            }
        }
        return out;
    }

    /** {@code counts} and {@code other_syscalls}: those of raw_syscalls:sys_enter that no named tracepoint counted. */
    static Map<String, Long> withOtherSyscalls(Map<String, Long> counts) {
        Map<String, Long> all = new LinkedHashMap<>(counts);
        Long raw = counts.get("raw_syscalls:sys_enter");
        if (raw != null) {
            all.put("other_syscalls", raw - SYSCALLS.stream().mapToLong(k -> counts.getOrDefault(k, 0L)).sum());
        }
        return all;
    }

    /** perf stat -x ';' lines: value;unit;event;... ; uncounted events are left out. */
    static Map<String, Long> parse(List<String> lines) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split(";");
            if (f.length < 3 || line.startsWith("#") || f[0].startsWith("<")) {
                continue;
            }
            String event = f[2].startsWith("syscalls:sys_enter_") ? f[2].substring("syscalls:sys_enter_".length()) : f[2];
            counts.put(event, Math.round(Double.parseDouble(f[0])));
        }
        return counts;
    }

    /** We hold the FIFO open for writing too, so no end of file comes: {@link #close()} writes END. */
    private void readAcks() {
        try {
            for (String line = ack.readLine(); line != null && !line.equals(END); line = ack.readLine()) {
                acks.add(line.trim());
            }
        } catch (IOException ignored) {
            // nothing more to acknowledge
        } finally {
            try {
                ack.close();
            } catch (IOException ignored) {
                // the run is over: the descriptor is all that is left to give back
            }
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    @Override
    public void close() {
        perf.destroyForcibly();
        try {
            ack.write((END + "\n").getBytes(StandardCharsets.US_ASCII));
            ctl.close();
            Files.deleteIfExists(fifos.resolve("ctl"));
            Files.deleteIfExists(fifos.resolve("ack"));
            Files.deleteIfExists(fifos);
        } catch (IOException ignored) {
            // a temporary FIFO left in /tmp is harmless
        }
    }
}
