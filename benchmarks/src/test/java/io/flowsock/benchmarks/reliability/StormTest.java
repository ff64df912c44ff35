package io.flowsock.benchmarks.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.benchmarks.ProcStats;
import io.flowsock.benchmarks.server.Behaviour;
import io.flowsock.benchmarks.server.FlowsockServer;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Connection storm: 5,000 non-blocking connects fired at once from the benchmarks' storm load in
 * its own JVM, each held until the server's one-byte greeting arrives, against a server with
 * backlog 1024, in three rounds. IOCPSOCK's promise for its accept pool, kept by flowsock: a
 * storm never fails a client. Every round must see every connection connected and greeted.
 */
@SlowLoad
class StormTest {
    static final int CONNECTIONS = 5_000;
    static final int ROUNDS = 3;
    static final int BACKLOG = 1024;

    @Test
    void fiveThousandConnectsAtBacklog1024AreAllAcceptedAndGreetedInEveryRound() throws Exception {
        DisposableServer server = LoopbackServer.bind(TcpServer.create().backlog(BACKLOG)
                .handle(FlowsockServer.handler(Behaviour.GREET)));
        try {
            assertThat(server.backlog().cap()).isEqualTo(BACKLOG);
            storm(server, 500);   // warm-up: compiled accept and greet paths, loaded classes
            Footprint before = Footprint.quiet(server, Duration.ofSeconds(20));
            for (int round = 1; round <= ROUNDS; round++) {
                long acceptedBefore = server.accepted();
                long overflowsBefore = ProcStats.tcpExt("ListenOverflows");
                long cookiesBefore = ProcStats.tcpExt("SyncookiesSent");

                LoadRun.Result r = storm(server, CONNECTIONS);

                assertThat(r.num("err_connect")).as("round %d: failed connects: %s", round, r).isZero();
                assertThat(r.num("err_ungreeted")).as("round %d: connected but never greeted (never accepted): %s",
                        round, r).isZero();
                assertThat(r.num("greeted")).as("round %d: greeted", round).isEqualTo(CONNECTIONS);
                assertThat(server.accepted() - acceptedBefore).as("round %d: accepted", round).isEqualTo(CONNECTIONS);
                // the kernel's counters, for the record: machine-wide, so other tests may add to them
                long overflows = ProcStats.tcpExt("ListenOverflows") - overflowsBefore;
                long cookies = ProcStats.tcpExt("SyncookiesSent") - cookiesBefore;
                Footprint after = Footprint.assertBackTo(before, server, Duration.ofSeconds(30));
                System.out.printf("storm round %d: %d connections at backlog %d, %d greeted, t50 %.0f ms, t99 %.0f ms,"
                                + " all %.0f ms, 0 failed, 0 never accepted; kernel: %d listen overflows, %d SYN cookies;"
                                + " fds %d -> %d, threads %d -> %d%n", round, CONNECTIONS, BACKLOG, r.num("greeted"),
                        r.values().get("t50_ms"), r.values().get("t99_ms"), r.values().get("t100_ms"), overflows,
                        cookies, before.fds().size(), after.fds().size(), before.threads().size(), after.threads().size());
            }
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    /** One wave of {@code connections}, each waiting at most 15 s for its greeting. */
    private static LoadRun.Result storm(DisposableServer server, int connections) throws Exception {
        return LoadRun.run("storm", server.port(), 60_000, mark -> { },
                "connections=" + connections, "warmup=0", "settle_ms=0", "timeout_ms=15000");
    }
}
