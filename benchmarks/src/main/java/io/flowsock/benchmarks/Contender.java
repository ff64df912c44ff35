package io.flowsock.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * The servers compared, in the order they run within a round. The runner checks each READY line
 * for {@code mustSay}, so a contender that silently fell back to another transport fails the run.
 */
enum Contender {
    FLOWSOCK("flowsock", "transport=nio2"),
    REACTOR_NETTY_EPOLL("reactor-netty-epoll", "channel=Epoll"),
    REACTOR_NETTY_NIO("reactor-netty-nio", "channel=Nio"),
    JDK_NIO2("jdk-nio2", "jdk-nio2"),
    /** flowsock's server on the io_uring backend: a JDK 22+ child with transport-uring on its class path. */
    FLOWSOCK_URING("flowsock-uring", "transport=uring"),
    /**
     * flowsock's nio2 backend on the flowsock-uring contender's JDK (22+): what io_uring is compared
     * with on the same JDK, since JDK 25's NIO.2 alone moves some figures.
     */
    FLOWSOCK_NIO2_JDK25("flowsock-nio2-jdk25", "transport=nio2"),
    /** Reactor Netty on Netty's io_uring transport: the direct peer of flowsock's uring backend. */
    REACTOR_NETTY_URING("reactor-netty-uring", "channel=IoUring"),
    /**
     * flowsock with {@code wiretap(false)} and {@code metrics(false)} said out loud: both are off by
     * default and then install no observer, so this must measure what flowsock measures.
     */
    FLOWSOCK_TAPS_OFF("flowsock-taps-off", "taps=off"),
    /**
     * The webflux- scenarios' application (benchmarks-spring) on flowsock's server through
     * flowsock-spring-boot-starter, Reactor Netty's server not on the class path.
     */
    WEBFLUX_FLOWSOCK("webflux-flowsock", "webServer=FlowsockWebServer"),
    /** The same application on spring-boot-starter-webflux's default server, Reactor Netty (epoll). */
    WEBFLUX_REACTOR_NETTY("webflux-reactor-netty", "channel=Epoll"),
    /**
     * webflux-flowsock on the io_uring backend: the flowsock class path plus transport-uring, on
     * the flowsock-uring contender's JDK (22+). Not run unless named.
     */
    WEBFLUX_FLOWSOCK_URING("webflux-flowsock-uring", "transport=uring");

    /** Whether this is flowsock itself: its errors fail a run; another contender's are a finding. */
    boolean isFlowsock() {
        return this == FLOWSOCK || this == FLOWSOCK_URING || this == FLOWSOCK_NIO2_JDK25 || this == FLOWSOCK_TAPS_OFF
                || this == WEBFLUX_FLOWSOCK || this == WEBFLUX_FLOWSOCK_URING;
    }

    /** Whether its server is the WebFlux application: it runs the webflux- scenarios and no other. */
    boolean isWebflux() {
        return this == WEBFLUX_FLOWSOCK || this == WEBFLUX_REACTOR_NETTY || this == WEBFLUX_FLOWSOCK_URING;
    }

    /** Whether its server runs on flowsock's io_uring backend, in a JDK 22+ child with transport-uring. */
    boolean isUring() {
        return this == FLOWSOCK_URING || this == WEBFLUX_FLOWSOCK_URING;
    }

    /** Whether its server can run the TLS scenarios: the plain NIO.2 floor has no TLS. */
    boolean speaksTls() {
        return this != JDK_NIO2 && !isWebflux();
    }

    /**
     * What runs when --contenders is not given: for the webflux- scenarios alone the application on
     * flowsock (nio2) and on Reactor Netty, else all plain servers but the taps-off check, which measures nothing new.
     */
    static List<Contender> defaults(boolean webfluxOnly) {
        return webfluxOnly ? List.of(WEBFLUX_FLOWSOCK, WEBFLUX_REACTOR_NETTY)
                : Arrays.stream(values()).filter(c -> c != FLOWSOCK_TAPS_OFF && !c.isWebflux()).toList();
    }

    /** What the plain servers' ratios are relative to. */
    static final Contender BASELINE = REACTOR_NETTY_EPOLL;

    /**
     * What a table's ratios divide by: Reactor Netty epoll where it runs, else the WebFlux
     * application on Reactor Netty; null when neither runs (the table then has no ratios).
     */
    static Contender baseline(List<Contender> contenders) {
        return contenders.contains(BASELINE) ? BASELINE
                : contenders.contains(WEBFLUX_REACTOR_NETTY) ? WEBFLUX_REACTOR_NETTY : null;
    }

    final String id;
    final String mustSay;

    Contender(String id, String mustSay) {
        this.id = id;
        this.mustSay = mustSay;
    }

    static Contender parse(String id) {
        for (Contender c : values()) {
            if (c.id.equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown contender " + id + "; known: "
                + String.join(", ", Arrays.stream(values()).map(c -> c.id).toList()));
    }
}
