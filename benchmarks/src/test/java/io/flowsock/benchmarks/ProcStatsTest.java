package io.flowsock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatsTest {
    private static volatile long sink;   // keeps the busy loop from being optimised away

    @Test
    void readsThisJvmsCpuTimeAndResidentMemory() {
        long pid = ProcessHandle.current().pid();
        long before = ProcStats.cpuTicks(pid);
        long spin = System.nanoTime() + 200_000_000L;
        long x = 0;
        while (System.nanoTime() < spin) {
            x += x * 31 + 7;
        }
        sink = x;
        assertThat(ProcStats.cpuTicks(pid)).isGreaterThan(before);
        assertThat(ProcStats.rssBytes(pid)).isGreaterThan(1L << 20);
        assertThat(ProcStats.clockTicks()).isPositive();
    }
}
