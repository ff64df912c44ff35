package io.flowsock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
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

    @Test
    void parsesUserAndSystemTimeAfterACommandNameWithSpacesAndParenthesesAndKnowsTheJvmsThreads() {
        String stat = "4242 (C2 CompilerThre) S 1 4242 4242 0 -1 4194368 1234 0 0 0 517 31 0 0 20 0 40 0 123 0 0";
        assertThat(ProcStats.parseStat(stat)).isEqualTo(new ProcStats.CpuTicks(517, 31));
        assertThat(ProcStats.parseComm("7 (a (b) c) R 1")).isEqualTo("a (b) c");
        assertThat(ProcStats.parseStat("7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 3 4 0")).isEqualTo(new ProcStats.CpuTicks(3, 4));
        assertThat(ProcStats.threadKind("C2 CompilerThre")).isEqualTo("jit");
        assertThat(ProcStats.threadKind("C1 CompilerThre")).isEqualTo("jit");
        assertThat(ProcStats.threadKind("GC Thread#1")).isEqualTo("gc");
        assertThat(ProcStats.threadKind("G1 Conc#0")).isEqualTo("gc");
        assertThat(ProcStats.threadKind("flowsock-nio2-1")).isEqualTo("other");
        long pid = ProcessHandle.current().pid();
        assertThat(ProcStats.threadCpu(pid)).containsKey("other");
        assertThat(ProcStats.minorFaults(pid)).isPositive();
    }

    @Test
    void readsTheSocketsOfOnePortWithStateAndQueuesFromAProcNetTcpTable() {
        String table = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
                   1: 0100007F:1F90 0100007F:9C40 08 00000000:00000010 00:00000000 00000000     0        0 2 1
                   2: 0100007F:1F90 0100007F:9C41 08 00000020:00000000 00:00000000 00000000     0        0 3 1
                   3: 0100007F:9C40 0100007F:1F90 06 00000000:00000000 00:00000000 00000000     0        0 0 1
                """;
        assertThat(ProcStats.parseTcp(table, 0x1F90)).containsExactly(
                new ProcStats.TcpSocket(0x1F90, 0, ProcStats.LISTEN, 0, 0),
                new ProcStats.TcpSocket(0x1F90, 0x9C40, ProcStats.CLOSE_WAIT, 0, 0x10),
                new ProcStats.TcpSocket(0x1F90, 0x9C41, ProcStats.CLOSE_WAIT, 0x20, 0));
    }

    @Test
    void readsATcpExtCounter() {
        assertThat(ProcStats.tcpExt("ListenOverflows")).isGreaterThanOrEqualTo(0);
        assertThat(ProcStats.tcpExt("NoSuchCounter")).isEqualTo(-1);
    }

    @Test
    void listsThisJvmsOpenDescriptorsAndTheSocketsOnAListeningPort() throws Exception {
        long pid = ProcessHandle.current().pid();
        int before = ProcStats.openFds(pid).size();
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(ProcStats.openFds(pid)).hasSizeGreaterThan(before).anyMatch(f -> f.startsWith("socket:"));
            assertThat(ProcStats.tcpStates(s.getLocalPort())).containsEntry(ProcStats.LISTEN, 1);
        }
    }

    @Test
    void readsTheValuesOfAResultLine() {
        assertThat(Protocol.values("greeted=5000 t50_ms=1.5 err_connect=0"))
                .containsExactly(Map.entry("greeted", 5000.0), Map.entry("t50_ms", 1.5), Map.entry("err_connect", 0.0));
    }
}
