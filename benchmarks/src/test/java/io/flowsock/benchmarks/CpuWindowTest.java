package io.flowsock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CPU window counts the server it was given, over the timed phase only, without the JIT's
 * leftovers from the warm-up, and agrees with the server's own reading. Real child JVMs
 * ({@link FakeServer}) burn known amounts of CPU time; the figures are CPU seconds, not speeds.
 */
class CpuWindowTest {
    private static final double SLACK_S = 0.12;   // a JVM's own GC and VM threads, and tick truncation

    @TempDir
    Path logs;
    private final List<Child> children = new java.util.ArrayList<>();
    private final int ticks = ProcStats.clockTicks();

    @AfterEach
    void kill() {
        children.forEach(Child::close);
    }

    @Test
    void twoServersBurningDifferentCpuEachGetTheirOwnFigureWhileTheLoadBurnsMore() throws Exception {
        Child a = warm(start("a"));
        Child b = warm(start("b"));
        Child load = warm(start("load"));
        Run ra = window(a, 600, load, 900);
        Run rb = window(b, 150, load, 900);
        assertThat(ra.values.get("cpu_s")).isBetween(0.6 - 0.02, 0.6 + SLACK_S);
        assertThat(rb.values.get("cpu_s")).isBetween(0.15 - 0.02, 0.15 + SLACK_S);
        assertThat(ra.values.get("cpu_self_s")).isBetween(0.6 - 0.02, 0.6 + SLACK_S);
        assertThat(ra.harnessFaults).isEmpty();
        assertThat(rb.harnessFaults).isEmpty();
        assertThat(ra.values.get("cpu")).isEqualTo(ra.values.get("cpu_s") / 2);   // per unit: 2 GiB
    }

    @Test
    void theWindowOpensOnlyOnceTheJitHasFinishedWhatTheWarmUpStarted() throws Exception {
        Child server = warm(start("jit"));
        server.send("jit 700");   // compilations the warm-up queued, still running at MARK begin
        assertThat(server.await("STARTED", 10_000)).isNotNull();
        CpuWindow w = new CpuWindow(server, ticks, true, 10_000);
        w.begin();
        burn(server, 100);
        w.end();
        Run run = new Run(Scenario.STREAM, Contender.FLOWSOCK, 1);
        w.putInto(run, 1, 1);
        assertThat(run.values.get("cpu_jit_s")).isLessThanOrEqualTo(0.03);
        assertThat(run.values.get("cpu_s")).isBetween(0.1 - 0.02, 0.1 + SLACK_S);
        assertThat(run.values.get("jit_settle_ms")).isPositive();
    }

    @Test
    void aWarmUpPassRepeatsWhileTheJitWorksAndNeverInQuickMode() throws Exception {
        Child server = warm(start("passes"));
        CpuWindow full = new CpuWindow(server, ticks, false, 10_000);
        assertThat(full.warmAgain()).as("the first pass always counts as busy").isTrue();
        server.send("jit 200");
        assertThat(server.await("STARTED", 10_000)).isNotNull();
        Thread.sleep(400);   // the fake compiler thread's 200 ms of CPU are spent by now, on 2 busy CPUs too
        assertThat(full.warmAgain()).as("the JIT worked during this pass").isTrue();
        assertThat(full.warmAgain()).as("a quiet pass").isFalse();
        assertThat(new CpuWindow(server, ticks, false, 0).warmAgain()).isFalse();
    }

    @Test
    void readingsMoreThan15PercentApartAreAHarnessFaultWithinAFewTicksAreNot() {
        assertThat(CpuWindow.disagreement(1.0, 0.80, 100)).hasValueSatisfying(s -> assertThat(s).contains("CPU CHECK FAILED"));
        assertThat(CpuWindow.disagreement(0.5, 1.0, 100)).isPresent();
        assertThat(CpuWindow.disagreement(1.0, 0.90, 100)).isEmpty();
        assertThat(CpuWindow.disagreement(0.02, 0.0, 100)).isEmpty();
    }

    /** One timed window on {@code server} burning {@code ms} while {@code load} burns {@code loadMs}. */
    private Run window(Child server, long ms, Child load, long loadMs) throws Exception {
        CpuWindow w = new CpuWindow(server, ticks, true, 10_000);
        w.begin();
        load.send("burn " + loadMs);
        burn(server, ms);
        assertThat(load.await("BURNT", 30_000)).isNotNull();
        w.end();
        Run run = new Run(Scenario.STREAM, Contender.FLOWSOCK, 1);
        w.putInto(run, 2, 1);
        return run;
    }

    private Child start(String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // surefire runs tests from a manifest-only jar; the real class path is in surefire.test.class.path
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Child c = Child.start(name, Child.java(java, cp, List.of("-Xmx64m"), FakeServer.class.getName(), List.of()),
                logs.resolve(name + ".log"));
        children.add(c);
        assertThat(c.await(Protocol.READY, 30_000)).isNotNull();
        return c;
    }

    /** Compiles the burn loop before any window, as the benchmarks' warm-up does for a server. */
    private static Child warm(Child c) throws Exception {
        burn(c, 300);
        return c;
    }

    private static void burn(Child c, long ms) throws Exception {
        c.send("burn " + ms);
        assertThat(c.await("BURNT", 30_000)).isNotNull();
    }
}
