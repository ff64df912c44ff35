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
    FLOWSOCK_TAPS_OFF("flowsock-taps-off", "taps=off");

    /** Whether this is flowsock itself: its errors fail a run; another contender's are a finding. */
    boolean isFlowsock() {
        return this == FLOWSOCK || this == FLOWSOCK_URING || this == FLOWSOCK_NIO2_JDK25 || this == FLOWSOCK_TAPS_OFF;
    }

    /** Whether its server can run the TLS scenarios: the plain NIO.2 floor has no TLS. */
    boolean speaksTls() {
        return this != JDK_NIO2;
    }

    /** What runs when --contenders is not given: all but the taps-off check, which measures nothing new. */
    static List<Contender> defaults() {
        return Arrays.stream(values()).filter(c -> c != FLOWSOCK_TAPS_OFF).toList();
    }

    /** What every ratio is relative to. */
    static final Contender BASELINE = REACTOR_NETTY_EPOLL;

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
