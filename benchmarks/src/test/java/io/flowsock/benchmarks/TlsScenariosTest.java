package io.flowsock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS scenarios as the runner's quick mode runs them, flowsock and Reactor Netty on epoll each
 * in a server JVM of its own against the one load: every run measured, without an error, on TLS 1.3
 * with the one cipher suite offered; tls-hello's handshakes all full and tls-resume's nearly all
 * resumed, as the client saw them (a resumed handshake carries no certificate).
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsScenariosTest {
    /** Its own ports, away from the runner's default 20000 and the reliability tests'. */
    private static final int PORT_BASE = 26000;

    @TempDir
    Path keys;

    @Test
    void everyTlsScenarioMeasuresBothServersWithoutErrorsOnTheOfferedProtocolAndCipher() throws Exception {
        TlsFiles.write(keys);
        Measurement measurement = new Measurement(new Measurement.Settings(true,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), RunnerClassPath.get(), ProcStats.clockTicks(),
                Path.of("target", "bench-logs", "tls-test"), false, PORT_BASE, Optional.empty(), Optional.of(keys)));
        List<Run> runs = new ArrayList<>();
        for (Scenario s : List.of(Scenario.TLS_STREAM, Scenario.TLS_HELLO, Scenario.TLS_RESUME)) {
            for (Contender c : List.of(Contender.FLOWSOCK, Contender.REACTOR_NETTY_EPOLL)) {
                runs.add(measurement.run(s, c, 1));
            }
        }
        for (Run r : runs) {
            String what = r.scenario.id + " " + r.contender.id + ": " + r.values + " " + r.problems;
            assertThat(r.measured()).as(what).isTrue();
            assertThat(r.errors()).as(what).isZero();
            assertThat(r.negotiated).as(what).isEqualTo(TlsFiles.PROTOCOL + " " + TlsFiles.CIPHER);
            assertThat(r.values.get(r.scenario == Scenario.TLS_STREAM ? "mib_s" : "rate")).as(what).isPositive();
            assertThat(r.values.get("cpu")).as(what).isPositive();
            if (r.scenario == Scenario.TLS_HELLO) {
                assertThat(r.values.get("resumed")).as(what).isZero();
            }
            if (r.scenario == Scenario.TLS_RESUME) {
                assertThat(r.values.get("resumed")).as(what).isGreaterThan(0.9);
            }
        }
        assertThat(Bench.negotiated(runs)).isEqualTo("TLS: every TLS run (6) negotiated TLSv1.3 TLS_AES_128_GCM_SHA256.\n");
        assertThat(Files.list(keys)).hasSize(2);   // the key stores, and nothing the runs left behind
    }
}
