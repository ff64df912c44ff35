package io.flowsock.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * The servers compared, in the order they run within a round. The runner checks each READY line
 * for {@code mustSay}, so a contender that silently fell back to another transport fails the run.
 */
enum Contender {
    FLOWSOCK("flowsock", "transport=nio2", "flowsock", false, "nio2"),
    /**
     * flowsock's server on its selector backend (its own completion port on the JDK's Selector,
     * level-triggered epoll here), on the runner's JDK.
     */
    FLOWSOCK_SELECTOR("flowsock-selector", "transport=selector", "flowsock", false, "selector"),
    REACTOR_NETTY_EPOLL("reactor-netty-epoll", "channel=Epoll"),
    REACTOR_NETTY_NIO("reactor-netty-nio", "channel=Nio"),
    JDK_NIO2("jdk-nio2", "jdk-nio2"),
    /** flowsock's server on the io_uring backend: a JDK 22+ child with transport-uring on its class path. */
    FLOWSOCK_URING("flowsock-uring", "transport=uring", "flowsock-uring", true),
    /**
     * flowsock's nio2 backend on the flowsock-uring contender's JDK (22+): what io_uring is compared
     * with on the same JDK, since JDK 25's NIO.2 alone moves some figures.
     */
    FLOWSOCK_NIO2_JDK25("flowsock-nio2-jdk25", "transport=nio2", "flowsock", true, "nio2"),
    /** Reactor Netty on Netty's io_uring transport: the direct peer of flowsock's uring backend. */
    REACTOR_NETTY_URING("reactor-netty-uring", "channel=IoUring"),
    /**
     * Reactor Netty epoll on the JDK 22+ that the io_uring contenders need: the baseline of every
     * contender on that JDK, so no ratio of theirs credits flowsock with what the newer JDK does.
     */
    REACTOR_NETTY_EPOLL_JDK25("reactor-netty-epoll-jdk25", "channel=Epoll", "reactor-netty-epoll", true),
    /** Reactor Netty on Netty's io_uring transport and the JDK 22+, flowsock-uring's peer on the same JDK. */
    REACTOR_NETTY_URING_JDK25("reactor-netty-uring-jdk25", "channel=IoUring", "reactor-netty-uring", true),
    /**
     * flowsock with {@code wiretap(false)} and {@code metrics(false)} said out loud: both are off by
     * default and then install no observer, so this must measure what flowsock measures.
     */
    FLOWSOCK_TAPS_OFF("flowsock-taps-off", "taps=off", "flowsock-taps-off", false, "nio2"),
    /**
     * The webflux- scenarios' application (benchmarks-spring) on flowsock's server through
     * flowsock-spring-boot-starter, Reactor Netty's server not on the class path.
     */
    WEBFLUX_FLOWSOCK("webflux-flowsock", "webServer=FlowsockWebServer", "webflux-flowsock", false, "nio2"),
    /** The same application on spring-boot-starter-webflux's default server, Reactor Netty (epoll). */
    WEBFLUX_REACTOR_NETTY("webflux-reactor-netty", "channel=Epoll"),
    /**
     * webflux-flowsock on the io_uring backend: the flowsock class path plus transport-uring, on
     * the flowsock-uring contender's JDK (22+). Not run unless named.
     */
    WEBFLUX_FLOWSOCK_URING("webflux-flowsock-uring", "transport=uring", "webflux-flowsock-uring", true),
    /** webflux-flowsock (nio2) on the JDK 22+: what webflux-flowsock-uring is compared with on one JDK. */
    WEBFLUX_FLOWSOCK_JDK25("webflux-flowsock-jdk25", "transport=nio2", "webflux-flowsock", true, "nio2"),
    /** webflux-reactor-netty on the JDK 22+: the baseline of the WebFlux servers on that JDK. */
    WEBFLUX_REACTOR_NETTY_JDK25("webflux-reactor-netty-jdk25", "channel=Epoll", "webflux-reactor-netty", true),
    /** webflux-flowsock on the selector backend, on the runner's JDK. */
    WEBFLUX_FLOWSOCK_SELECTOR("webflux-flowsock-selector", "transport=selector", "webflux-flowsock", false, "selector");

    /** Whether this is flowsock itself: its errors fail a run; another contender's are a finding. */
    boolean isFlowsock() {
        return server.startsWith("flowsock") || server.startsWith("webflux-flowsock");
    }

    /** Whether its server is the WebFlux application: it runs the webflux- scenarios and no other. */
    boolean isWebflux() {
        return server.startsWith("webflux-");
    }

    /** Whether its server is Reactor Netty on Netty's io_uring transport: its class path adds Netty's io_uring jars. */
    boolean isNettyUring() {
        return server.equals(REACTOR_NETTY_URING.id);
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
     * flowsock (nio2) and on Reactor Netty, else all plain servers but the taps-off check, which
     * measures nothing new, and the JDK 22+ copies of Reactor Netty (name them to compare on one JDK).
     */
    static List<Contender> defaults(boolean webfluxOnly) {
        return webfluxOnly ? List.of(WEBFLUX_FLOWSOCK, WEBFLUX_REACTOR_NETTY)
                : Arrays.stream(values()).filter(c -> c != FLOWSOCK_TAPS_OFF && !c.isWebflux()
                        && c != REACTOR_NETTY_EPOLL_JDK25 && c != REACTOR_NETTY_URING_JDK25).toList();
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

    /**
     * What {@code c}'s ratios divide by: for a contender on the JDK 22+, Reactor Netty on that JDK
     * where it runs too (reactor-netty-epoll-jdk25, webflux-reactor-netty-jdk25), else
     * {@link #baseline}, which also serves those two (their ratio is what the newer JDK alone
     * does); null for no ratios, and {@code c} itself for the baseline.
     */
    static Contender baselineOf(Contender c, List<Contender> contenders) {
        Contender sameJdk = c.isWebflux() ? WEBFLUX_REACTOR_NETTY_JDK25 : REACTOR_NETTY_EPOLL_JDK25;
        if (c.newJdk && c != sameJdk && contenders.contains(sameJdk)) {
            return sameJdk;
        }
        // a WebFlux server beside the plain ones divides by the application on Reactor Netty
        return c.isWebflux() && contenders.contains(WEBFLUX_REACTOR_NETTY) ? WEBFLUX_REACTOR_NETTY : baseline(contenders);
    }

    final String id;
    final String mustSay;
    /** What the server JVM is told to run: the id, or for a copy on another JDK the original's. */
    final String server;
    /** Whether the server runs on the JDK 22+ ({@link UringRuntime#java()}) instead of the runner's. */
    final boolean newJdk;
    /** The flowsock backend the server JVM is told to use ({@code -Dflowsock.transport}), or null for its default. */
    final String transport;

    Contender(String id, String mustSay) {
        this(id, mustSay, id, false);
    }

    Contender(String id, String mustSay, String server, boolean newJdk) {
        this(id, mustSay, server, newJdk, null);
    }

    Contender(String id, String mustSay, String server, boolean newJdk, String transport) {
        this.id = id;
        this.mustSay = mustSay;
        this.server = server;
        this.newJdk = newJdk;
        this.transport = transport;
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
