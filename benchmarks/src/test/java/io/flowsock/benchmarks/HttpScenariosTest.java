package io.flowsock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP scenarios as the runner's quick mode runs them: flowsock's HttpServer and Reactor
 * Netty's on epoll, each in a server JVM of its own, against the same load (wrk, h2load and ab
 * where installed, the load JVM's own client for upload and idle memory). Every run must produce
 * its rows, with server CPU where the scenario counts it, and not one error.
 */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HttpScenariosTest {
    /** Its own ports, away from the runner's default 20000 and the other tests'. */
    private static final int PORT_BASE = 27000;

    @ParameterizedTest
    @EnumSource(names = {"HTTP_KEEPALIVE", "HTTP_PIPELINED", "HTTP_CLOSE", "HTTP_UPLOAD", "HTTP_IDLE_MEMORY"})
    void bothServersAnswerEveryRequestOfTheScenarioAndEveryRowIsFilled(Scenario s) {
        Optional<String> why = HttpScenarios.unavailable(s);
        assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
        Measurement measurement = new Measurement(new Measurement.Settings(true,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), RunnerClassPath.get(), ProcStats.clockTicks(),
                Path.of("target", "bench-logs", "http-test"), false, PORT_BASE, Optional.empty(), Optional.empty()));
        for (Contender c : List.of(Contender.FLOWSOCK, Contender.REACTOR_NETTY_EPOLL)) {
            Run r = measurement.run(s, c, 1);
            String what = s.id + " " + c.id + ": " + r.values + " " + r.problems;
            assertThat(r.measured()).as(what).isTrue();
            assertThat(r.errors()).as(what).isZero();
            for (Scenario.Metric m : s.metrics) {
                assertThat(r.values.get(m.key())).as(what + " row " + m.key()).isNotNull().isNotNaN();
            }
            if (s.cpuScale > 0) {
                assertThat(r.values.get("cpu")).as(what).isPositive();
            }
        }
    }
}
