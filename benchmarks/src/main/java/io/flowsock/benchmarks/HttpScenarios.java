package io.flowsock.benchmarks;

import io.flowsock.benchmarks.load.HttpTool;
import io.flowsock.benchmarks.server.Behaviour;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the runner needs to know of the http- scenarios: which contenders have an HTTP server,
 * who runs them in quick mode, and which external load generator each needs.
 */
final class HttpScenarios {
    /**
     * Who runs the HTTP scenarios in quick mode when --contenders is not given: flowsock and the
     * baseline, so the smoke test stays within its time (each run is two JVM starts and a tool run).
     */
    static final List<Contender> QUICK = List.of(Contender.FLOWSOCK, Contender.REACTOR_NETTY_EPOLL);

    /** The external client each scenario runs; the others are the load JVM's own. */
    private static final Map<Scenario, String> TOOL = Map.of(
            Scenario.HTTP_KEEPALIVE, "wrk",
            Scenario.HTTP_PIPELINED, "h2load",
            Scenario.HTTP_CLOSE, "ab",
            Scenario.WEBFLUX_HELLO, "wrk",
            Scenario.WEBFLUX_JSON, "wrk",
            Scenario.WEBFLUX_CLOSE, "ab");

    private HttpScenarios() {
    }

    static boolean isHttp(Scenario s) {
        return s.behaviour == Behaviour.HTTP;
    }

    /** Whether {@code c} runs {@code s}: jdk-nio2 has no HTTP server; {@code quickDefault}: quick mode, contenders not named. */
    static boolean runs(Scenario s, Contender c, boolean quickDefault) {
        return !isHttp(s) || c != Contender.JDK_NIO2 && (!quickDefault || QUICK.contains(c));
    }

    /** Why {@code s} cannot run on this machine (its load generator is not on the PATH), or empty. */
    static Optional<String> unavailable(Scenario s) {
        String tool = TOOL.get(s);
        if (tool == null || HttpTool.find(tool).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(tool + " is not on the PATH (Debian: apt-get install "
                + switch (tool) {
                    case "h2load" -> "nghttp2-client";
                    case "ab" -> "apache2-utils";
                    default -> tool;
                } + ")");
    }

    /** {@code scenarios} without those that cannot run here, each skipped with the reason printed. */
    static List<Scenario> available(List<Scenario> scenarios) {
        return scenarios.stream().filter(s -> {
            Optional<String> why = unavailable(s);
            why.ifPresent(w -> System.out.println("skipping scenario " + s.id + ": " + w));
            return why.isEmpty();
        }).toList();
    }
}
