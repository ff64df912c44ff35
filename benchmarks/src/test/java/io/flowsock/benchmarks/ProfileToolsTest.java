package io.flowsock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileToolsTest {
    @TempDir
    Path dir;

    @Test
    void perfStatLinesGiveCountsUnderBareSyscallNamesAndSkipUncountedEvents() {
        List<String> lines = List.of(
                "# started on Thu Dec  3 17:31:29 2026",
                "",
                "547.68;msec;task-clock;547682459;100.00;0.288;CPUs utilized",
                "78;;context-switches;547681096;100.00;142.418;/sec",
                "<not counted>;;cpu-migrations;0;100.00;;",
                "1200;;raw_syscalls:sys_enter;547680836;100.00;0.000;/sec",
                "400;;syscalls:sys_enter_epoll_wait;547678892;100.00;0.000;/sec");

        Map<String, Long> counts = Perf.parse(lines);

        assertThat(counts).containsExactly(Map.entry("task-clock", 548L), Map.entry("context-switches", 78L),
                Map.entry("raw_syscalls:sys_enter", 1200L), Map.entry("epoll_wait", 400L));
    }

    @Test
    void syscallsNoNamedTracepointCountedAreOtherSyscalls() {
        Map<String, Long> counts = Perf.withOtherSyscalls(Map.of("raw_syscalls:sys_enter", 1200L,
                "epoll_wait", 400L, "read", 500L, "context-switches", 78L));

        assertThat(counts).containsEntry("other_syscalls", 300L).containsEntry("read", 500L);
        assertThat(Perf.withOtherSyscalls(Map.of("read", 5L))).doesNotContainKey("other_syscalls");
    }

    @Test
    void aPerfReportGivesTheFirstEntriesOfEachOfItsTables() {
        List<String> report = List.of(
                "# To display the perf.data header info, please use --header/--header-only options.",
                "#",
                "# Overhead  Command          Shared Object",
                "# ........  ...............  .................",
                "#",
                "    30.56%  C2 CompilerThre  libjvm.so",
                "    26.69%  flowsock-nio2-1  [kernel.kallsyms]",
                "    13.02%  flowsock-nio2-1  [JIT] tid 3745",
                "",
                "# Overhead  Shared Object      Symbol",
                "#",
                "    22.00%  [kernel.kallsyms]  [k] pvm_irq_enable",
                "     1.79%  [JIT] tid 3745     [.] Interpreter",
                "     1.38%  libc.so.6          [.] __memset_avx512_unaligned_erms");

        assertThat(Perf.topOfReport(report, 2)).containsExactly(
                "Overhead | Command | Shared Object",
                "  30.56%  C2 CompilerThre  libjvm.so",
                "  26.69%  flowsock-nio2-1  [kernel.kallsyms]",
                "Overhead | Shared Object | Symbol",
                "  22.00%  [kernel.kallsyms]  [k] pvm_irq_enable",
                "  1.79%  [JIT] tid 3745  [.] Interpreter");
    }

    @Test
    void topFramesFallIntoTheLayerOfTheirClassAndPoolThreadsIntoTheirPool() {
        assertThat(JfrSummary.layer("io.flowsock.core.nio2.Nio2Socket.write")).isEqualTo("flowsock");
        assertThat(JfrSummary.layer("io.flowsock.benchmarks.server.FlowsockServer.handle")).isEqualTo("benchmark");
        assertThat(JfrSummary.layer("sun.nio.ch.EPoll.wait")).isEqualTo("JDK NIO");
        assertThat(JfrSummary.layer("io.netty.channel.epoll.Native.epollWait")).isEqualTo("Netty");
        assertThat(JfrSummary.layer("java.util.ArrayList.add")).isEqualTo("other JDK");
        assertThat(JfrSummary.threadKind("reactor-tcp-epoll-12")).isEqualTo("reactor-tcp-epoll-#");
    }

    @Test
    void aRecordingOfBusyCodeNamesItsHotMethodAndItsAllocations() throws Exception {
        Path file = dir.resolve("busy.jfr");
        List<long[]> kept = new ArrayList<>();
        try (Recording recording = FlightRecording.start(file)) {
            long until = System.nanoTime() + 1_000_000_000L;
            for (int i = 0; i < 1_000_000 && System.nanoTime() < until; i++) {
                kept.add(spin(i));
                if (kept.size() > 1_000) {
                    kept.clear();
                }
            }
            recording.stop();
        }

        JfrSummary.Digest d = JfrSummary.read(file);
        String table = JfrSummary.markdown(d, 5);

        assertThat(d.samples).isPositive();
        assertThat(d.frames.keySet()).anyMatch(f -> f.startsWith(ProfileToolsTest.class.getName() + ".spin"));
        assertThat(d.threads).containsKey(JfrSummary.threadKind(Thread.currentThread().getName()));
        assertThat(d.allocated).isPositive();
        assertThat(table).contains(d.samples + " execution samples", "| top frame | share |", "garbage collections");
    }

    @Test
    void aRunWithoutRecordingsStillGetsItsSummaryAndOneIndexLine() throws Exception {
        Run run = new Run(Scenario.HELLO, Contender.FLOWSOCK, 1);
        run.values.put("cpu_s", 2.5);
        run.values.put("cpu_units", 1000.0);

        ProfileSummary.write(run, "hello-flowsock-r1", dir, Map.of(), List.of());
        ProfileSummary.write(run, "hello-flowsock-r2", dir, Map.of("raw_syscalls:sys_enter", 20_000L), List.of());

        assertThat(Files.readString(dir.resolve("hello-flowsock-r1-summary.md")))
                .startsWith("# hello-flowsock-r1\n")
                .contains("server CPU 2.50 s", "no recording")
                .doesNotContain("perf stat");
        List<String> index = Files.readAllLines(dir.resolve("profiles.md"));
        assertThat(index).hasSize(4);
        assertThat(index.get(2)).startsWith("| hello-flowsock-r1 | 2.50 (—, —) |").endsWith("| — |");
        assertThat(index.get(3)).startsWith("| hello-flowsock-r2 |").endsWith("| 20 |");
    }

    @Test
    void perfNeedsAProfileDirectory() {
        assertThatThrownBy(() -> Bench.Options.parse(new String[] {"--perf"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--profile");
        Bench.Options o = Bench.Options.parse(new String[] {"--profile", dir.toString(), "--perf"});
        assertThat(o.profile).isEqualTo(dir);
        assertThat(o.perf).isTrue();
    }

    /** Work the sampler can catch in this frame: arithmetic, and an array to allocate. */
    private static long[] spin(int seed) {
        long[] a = new long[64];
        long x = seed;
        for (int i = 0; i < 20_000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            a[i & 63] ^= x;
        }
        return a;
    }
}
