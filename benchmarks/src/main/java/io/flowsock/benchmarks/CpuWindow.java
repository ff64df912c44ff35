package io.flowsock.benchmarks;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The server's CPU time over the timed phase of one run: read from /proc/&lt;server pid&gt;/stat by the
 * runner when the load prints {@code MARK begin} and {@code MARK end}, split by thread kind (JIT,
 * GC, the rest), and, when verifying, read a second time by the server itself (its own process
 * CPU time, which it prints in reply to the stdin command {@code cpu}).
 *
 * <p>Before the first reading the window waits, up to {@code settleMs}, until the server's JIT
 * compiler threads have been idle for {@link #QUIET_MS}. The warm-up makes the JIT compile the
 * data path, but C2 finishes those compilations in the background for a second or more after the
 * warm-up's last byte: read at once, the window counted up to half its CPU time in compiler
 * threads, about as much for every contender, and the servers' own costs drowned in it.
 *
 * <p>One window per run and per server: nothing is kept from one run to the next.
 */
final class CpuWindow {
    /** Two readings agree within this share of the larger one... */
    static final double TOLERANCE = 0.15;
    /** ...or within this many clock ticks: each /proc reading is truncated to a whole tick. */
    static final int TOLERANCE_TICKS = 3;
    /** How long the compiler threads must have used no CPU before the window opens. */
    static final long QUIET_MS = 300;
    private static final long POLL_MS = 50;
    /** A warm-up pass is quiet when the compiler threads used at most this many ticks during it... */
    static final int QUIET_PASS_TICKS = 3;
    /** ...and the load warms up at most this many times. */
    static final int MAX_WARM_PASSES = 8;

    private final Child server;
    private final int clockTicks;
    private final boolean verify;
    private final long settleMs;
    private long settledAfterMs = -1;
    private int warmPasses;
    private long jitAtLastWarm = -1;
    private long faultsBegin;
    private long faultsEnd;
    private ProcStats.CpuTicks begin;
    private ProcStats.CpuTicks end;
    private Map<String, ProcStats.CpuTicks> threadsBegin;
    private Map<String, ProcStats.CpuTicks> threadsEnd;
    private long selfBeginNanos = -1;
    private long selfEndNanos = -1;

    /** {@code settleMs}: the longest wait for the JIT to go quiet; 0 opens the window at once. */
    CpuWindow(Child server, int clockTicks, boolean verify, long settleMs) {
        this.server = server;
        this.clockTicks = clockTicks;
        this.verify = verify;
        this.settleMs = settleMs;
    }

    /**
     * At {@code MARK warm}, after each warm-up pass: whether the load should warm up once more,
     * because the server's compiler threads were still busy during the pass just finished. The
     * first pass always counts as busy; the warm-up stops at MAX_WARM_PASSES. Never when
     * {@code settleMs} is 0 (quick mode).
     */
    boolean warmAgain() {
        warmPasses++;
        long now = jitTicks();
        boolean busy = jitAtLastWarm < 0 || now - jitAtLastWarm > QUIET_PASS_TICKS;
        jitAtLastWarm = now;
        return settleMs > 0 && busy && warmPasses < MAX_WARM_PASSES;
    }

    /** At {@code MARK begin}: the server is idle, the timed phase starts once the load hears "go". */
    void begin() throws IOException, InterruptedException {
        if (settleMs > 0) {
            settledAfterMs = settle();
        }
        // the server's reading goes first at begin and last at end, so the cost of answering the
        // first "cpu" (loading the management classes) falls outside both windows
        if (verify) {
            selfBeginNanos = selfReport(server);
        }
        faultsBegin = ProcStats.minorFaults(server.pid());
        threadsBegin = ProcStats.threadCpu(server.pid());
        begin = ProcStats.cpu(server.pid());
    }

    /** At {@code MARK end}: the load has seen the timed phase finish; the server is idle again. */
    void end() throws IOException, InterruptedException {
        end = ProcStats.cpu(server.pid());
        threadsEnd = ProcStats.threadCpu(server.pid());
        faultsEnd = ProcStats.minorFaults(server.pid());
        if (verify) {
            selfEndNanos = selfReport(server);
        }
    }

    boolean complete() {
        return begin != null && end != null;
    }

    /** Server CPU seconds over the window, user plus system, from /proc. */
    double seconds() {
        return end.minus(begin).total() / (double) clockTicks;
    }

    /**
     * Puts the window's figures into the run: {@code cpu} (seconds per unit times the scenario's
     * scale), {@code cpu_s}, {@code cpu_user_s}, {@code cpu_sys_s}, {@code cpu_jit_s},
     * {@code cpu_jit} (the compiler threads' share, per unit like {@code cpu}), {@code cpu_gc_s},
     * {@code page_faults} (minor faults: first touches of heap pages land in system time) and, when verifying, {@code cpu_self_s}; a disagreement is a harness fault.
     */
    void putInto(Run run, double units, double scale) {
        ProcStats.CpuTicks d = end.minus(begin);
        double seconds = seconds();
        run.values.put("cpu", seconds / units * scale);
        run.values.put("cpu_s", seconds);
        run.values.put("cpu_user_s", d.user() / (double) clockTicks);
        run.values.put("cpu_sys_s", d.system() / (double) clockTicks);
        run.values.put("cpu_jit_s", kind("jit") / (double) clockTicks);
        run.values.put("cpu_gc_s", kind("gc") / (double) clockTicks);
        run.values.put("cpu_jit", kind("jit") / (double) clockTicks / units * scale);
        run.values.put("page_faults", (double) (faultsEnd - faultsBegin));
        if (warmPasses > 0) {
            run.values.put("warm_passes", (double) warmPasses);
        }
        if (settledAfterMs >= 0) {
            run.values.put("jit_settle_ms", (double) settledAfterMs);
        }
        if (verify && selfBeginNanos >= 0 && selfEndNanos >= 0) {
            double self = (selfEndNanos - selfBeginNanos) / 1e9;
            run.values.put("cpu_self_s", self);
            disagreement(seconds, self, clockTicks).ifPresent(run::harnessFault);
        }
    }

    /** Waits until the compiler threads used no CPU for QUIET_MS, or settleMs passed; the ms waited. */
    private long settle() throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + settleMs * 1_000_000L;
        long last = jitTicks();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(POLL_MS);
            long now = jitTicks();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= QUIET_MS * 1_000_000L) {
                break;
            }
        }
        return (System.nanoTime() - start) / 1_000_000L;
    }

    private long jitTicks() {
        return ProcStats.threadCpu(server.pid()).getOrDefault("jit", new ProcStats.CpuTicks(0, 0)).total();
    }

    private long kind(String kind) {
        ProcStats.CpuTicks zero = new ProcStats.CpuTicks(0, 0);
        return threadsEnd.getOrDefault(kind, zero).minus(threadsBegin.getOrDefault(kind, zero)).total();
    }

    /** Why two readings of the same window disagree, or empty when they are within the tolerance. */
    static Optional<String> disagreement(double procSeconds, double selfSeconds, int clockTicks) {
        double diff = Math.abs(procSeconds - selfSeconds);
        double allowed = Math.max(TOLERANCE * Math.max(procSeconds, selfSeconds), TOLERANCE_TICKS / (double) clockTicks);
        if (diff <= allowed) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT,
                "CPU CHECK FAILED: /proc/<server pid>/stat says %.3f s over the timed phase, the server itself %.3f s"
                        + " (%.0f %% apart, allowed %.0f %%)", procSeconds, selfSeconds,
                100 * diff / Math.max(procSeconds, selfSeconds), 100 * TOLERANCE));
    }

    /** The server's own process CPU time in nanoseconds, as it reports it on the stdin command "cpu". */
    private static long selfReport(Child server) throws IOException, InterruptedException {
        server.send(Protocol.CMD_CPU);
        String reply = server.await(Protocol.CPU, 10_000);
        if (reply == null) {
            throw new IOException("server did not report its CPU time");
        }
        return Long.parseLong(reply.trim());
    }
}
