package io.flowsock.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReportTest {
    @Test
    void cellsShowMedianAndRangeAndRatiosDivideByTheEpollMedian() {
        List<Run> runs = new ArrayList<>();
        double[] flowsock = {110, 100, 130};
        double[] epoll = {200, 190, 210};
        for (int round = 0; round < 3; round++) {
            runs.add(run(Contender.FLOWSOCK, round, flowsock[round]));
            runs.add(run(Contender.REACTOR_NETTY_EPOLL, round, epoll[round]));
        }
        String table = new Report(runs, List.of(Scenario.STREAM),
                List.of(Contender.FLOWSOCK, Contender.REACTOR_NETTY_EPOLL)).table();
        assertThat(table).contains("| stream | MiB/s ↑ | 110 [100–130] | 200 [190–210] | 0.55 |");
        assertThat(table).contains("| stream | errors (all kinds) | 0 [0–0] | 0 [0–0] | — |");
    }

    @Test
    void aContenderOnTheNewerJdkDividesByReactorNettyOnThatJdkWhenItRuns() {
        List<Run> runs = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            runs.add(run(Contender.FLOWSOCK, round, 110));
            runs.add(run(Contender.REACTOR_NETTY_EPOLL, round, 100));
            runs.add(run(Contender.FLOWSOCK_URING, round, 150));
            runs.add(run(Contender.REACTOR_NETTY_EPOLL_JDK25, round, 120));
        }
        List<Contender> all = List.of(Contender.FLOWSOCK, Contender.REACTOR_NETTY_EPOLL, Contender.FLOWSOCK_URING,
                Contender.REACTOR_NETTY_EPOLL_JDK25);
        String table = new Report(runs, List.of(Scenario.STREAM), all).table();
        assertThat(table).contains("| flowsock ÷ reactor-netty-epoll | flowsock-uring ÷ reactor-netty-epoll-jdk25 "
                + "| reactor-netty-epoll-jdk25 ÷ reactor-netty-epoll |");
        assertThat(table).contains("| stream | MiB/s ↑ | 110 [110–110] | 100 [100–100] | 150 [150–150] | 120 [120–120] "
                + "| 1.10 | 1.25 | 1.20 |");

        // without Reactor Netty on the newer JDK the older baseline serves every contender
        String without = new Report(runs, List.of(Scenario.STREAM), all.subList(0, 3)).table();
        assertThat(without).contains("| flowsock-uring ÷ reactor-netty-epoll |").contains("| 1.10 | 1.50 |");
        assertThat(Contender.REACTOR_NETTY_EPOLL_JDK25.server).isEqualTo(Contender.REACTOR_NETTY_EPOLL.id);
        assertThat(Contender.WEBFLUX_FLOWSOCK_JDK25.isFlowsock()).isTrue();
        assertThat(Contender.WEBFLUX_REACTOR_NETTY_JDK25.isFlowsock()).isFalse();
        assertThat(Contender.baselineOf(Contender.WEBFLUX_FLOWSOCK_URING, List.of(Contender.WEBFLUX_FLOWSOCK_URING,
                Contender.WEBFLUX_REACTOR_NETTY, Contender.WEBFLUX_REACTOR_NETTY_JDK25)))
                .isEqualTo(Contender.WEBFLUX_REACTOR_NETTY_JDK25);
    }

    @Test
    void theWebfluxServersAloneDivideByTheApplicationOnReactorNetty() {
        List<Run> runs = new ArrayList<>();
        double[] flowsock = {1200, 1100, 1300};
        double[] netty = {1000, 900, 1100};
        for (int round = 0; round < 3; round++) {
            runs.add(rate(Scenario.WEBFLUX_HELLO, Contender.WEBFLUX_FLOWSOCK, round, flowsock[round]));
            runs.add(rate(Scenario.WEBFLUX_HELLO, Contender.WEBFLUX_REACTOR_NETTY, round, netty[round]));
        }
        String table = new Report(runs, List.of(Scenario.WEBFLUX_HELLO),
                List.of(Contender.WEBFLUX_FLOWSOCK, Contender.WEBFLUX_REACTOR_NETTY)).table();
        assertThat(table).contains("| webflux-flowsock ÷ webflux-reactor-netty |");
        assertThat(table).contains("| webflux-hello | requests/s ↑ | 1,200 [1,100–1,300] | 1,000 [900–1,100] | 1.20 |");
    }

    @Test
    void theWebfluxScenariosRunOnlyWhenNamedAndThenWithTheirOwnServers() {
        Bench.Options plain = Bench.Options.parse(new String[0]);
        assertThat(plain.scenarios).noneMatch(Scenario::isWebflux).contains(Scenario.HELLO, Scenario.HTTP_CLOSE);
        assertThat(plain.contenders).noneMatch(Contender::isWebflux).contains(Contender.REACTOR_NETTY_EPOLL);

        Bench.Options webflux = Bench.Options.parse(new String[] {"--scenarios", "webflux-hello,webflux-sse"});
        assertThat(webflux.contenders).containsExactly(Contender.WEBFLUX_FLOWSOCK, Contender.WEBFLUX_REACTOR_NETTY);
        assertThat(Contender.baseline(webflux.contenders)).isEqualTo(Contender.WEBFLUX_REACTOR_NETTY);
        assertThat(Contender.WEBFLUX_FLOWSOCK.isFlowsock()).isTrue();
        assertThat(Contender.WEBFLUX_REACTOR_NETTY.isFlowsock()).isFalse();
    }

    @Test
    void aFailedRunHasNoNumbersButCountsAsAnError() {
        Run failed = new Run(Scenario.STREAM, Contender.FLOWSOCK, 1);
        failed.fail("server crashed");
        String table = new Report(List.of(failed), List.of(Scenario.STREAM), List.of(Contender.FLOWSOCK)).table();
        assertThat(table).contains("| stream | MiB/s ↑ | — |").contains("| stream | errors (all kinds) | 1 |");
    }

    @Test
    void anUnavailableValuePrintsAsDashAndEntersNoMedianOrRatio() {
        // storm rounds as the load reports them: a round that lost greetings has no t99 or t100
        String[] flowsock = {"t50_ms=200 t99_ms=400 t100_ms=500", "t50_ms=210 t99_ms=600 t100_ms=700",
            "t50_ms=220 t99_ms=" + Protocol.UNAVAILABLE + " t100_ms=" + Protocol.UNAVAILABLE};
        String[] epoll = {"t50_ms=400 t99_ms=800 t100_ms=" + Protocol.UNAVAILABLE,
            "t50_ms=410 t99_ms=" + Protocol.UNAVAILABLE + " t100_ms=" + Protocol.UNAVAILABLE,
            "t50_ms=420 t99_ms=" + Protocol.UNAVAILABLE + " t100_ms=" + Protocol.UNAVAILABLE};
        List<Run> runs = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            runs.add(storm(Contender.FLOWSOCK, round, flowsock[round]));
            runs.add(storm(Contender.REACTOR_NETTY_EPOLL, round, epoll[round]));
        }
        runs.add(storm(Contender.FLOWSOCK_URING, 0, "t50_ms=" + Protocol.UNAVAILABLE + " t99_ms="
                + Protocol.UNAVAILABLE + " t100_ms=" + Protocol.UNAVAILABLE));

        String table = new Report(runs, List.of(Scenario.STORM),
                List.of(Contender.FLOWSOCK, Contender.FLOWSOCK_URING, Contender.REACTOR_NETTY_EPOLL)).table();

        assertThat(table).contains("| storm | ms to 50 % greeted ↓ | 210 [200–220] | — | 410 [400–420] | 0.51 | — |");
        assertThat(table).contains("| storm | ms to 99 % greeted ↓ | 500 [400–600] | — | 800 | 0.63 | — |");
        assertThat(table).contains("| storm | ms to all greeted ↓ | 600 [500–700] | — | — | — | — |");
        assertThat(table).doesNotContain("-1").doesNotContain("NaN");
    }

    @Test
    void numbersKeepThreeSignificantDigitsOrAreWhole() {
        assertThat(Report.number(12345.6)).isEqualTo("12,346");
        assertThat(Report.number(42)).isEqualTo("42");
        assertThat(Report.number(12.34)).isEqualTo("12.3");
        assertThat(Report.number(1.234)).isEqualTo("1.23");
        assertThat(Report.number(0.1234)).isEqualTo("0.123");
    }

    @Test
    void portsAreFixedBelowTheEphemeralRangeAndDistinct() {
        Set<Integer> ports = new HashSet<>();
        for (Scenario s : Scenario.values()) {
            for (Contender c : Contender.values()) {
                if (s.isWebflux() != c.isWebflux()) {
                    continue;   // never run: the WebFlux servers run the webflux- scenarios only
                }
                assertThat(s.port(Scenario.PORT_BASE, c)).isBetween(20000, 20000 + Scenario.PORT_STRIDE * Scenario.values().length - 1)
                        .isLessThan(32768);
                assertThat(ports.add(s.port(Scenario.PORT_BASE, c))).isTrue();
            }
        }
    }

    private static Run storm(Contender c, int round, String result) {
        Run r = new Run(Scenario.STORM, c, round);
        r.values.putAll(Protocol.values(result));
        return r;
    }

    private static Run rate(Scenario s, Contender c, int round, double rate) {
        Run r = new Run(s, c, round);
        r.values.put("rate", rate);
        return r;
    }

    private static Run run(Contender c, int round, double mibs) {
        Run r = new Run(Scenario.STREAM, c, round);
        r.values.put("mib_s", mibs);
        return r;
    }
}
