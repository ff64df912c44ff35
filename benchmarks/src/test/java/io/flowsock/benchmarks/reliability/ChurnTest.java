package io.flowsock.benchmarks.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.benchmarks.server.Behaviour;
import io.flowsock.benchmarks.server.FlowsockServer;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Connection churn: 20,000 connections one after another, each connect, "hello", "hello back",
 * the client's FIN, the server's FIN, close, from the benchmarks' hello load in its own JVM.
 * The server runs in this JVM with HTTPD-like tunables, so this JVM's descriptors and threads,
 * and the sockets on the server's port, are what a leak per connection would pile up in.
 */
@SlowLoad
class ChurnTest {
    static final int CYCLES = 20_000;

    @Test
    void twentyThousandConnectExchangeCloseCyclesLeaveNothingBehind() throws Exception {
        DisposableServer server = LoopbackServer.bind(TcpServer.create().sendCap(1).recvBurst(1)
                .handle(FlowsockServer.handler(Behaviour.HELLO)));
        try {
            hello(server, 500);   // warm-up: compiled paths, loaded classes, the JDK's child-process threads
            Footprint before = Footprint.quiet(server, Duration.ofSeconds(10));
            long acceptedBefore = server.accepted();
            long t0 = System.nanoTime();

            LoadRun.Result r = hello(server, CYCLES);

            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(r.num("completed")).as("exchanges completed, of %d: %s", CYCLES, r).isEqualTo(CYCLES);
            assertThat(r.errorCount()).as("failed connects and exchanges: %s", r).isZero();
            assertThat(server.accepted() - acceptedBefore).as("connections the server accepted").isEqualTo(CYCLES);
            Footprint after = Footprint.assertBackTo(before, server, Duration.ofSeconds(20));
            System.out.printf("churn: %d cycles in %.1f s, 0 failed; fds %d -> %d (sockets %d -> %d), threads %d -> %d,"
                            + " server sockets %s%n", CYCLES, seconds, before.fds().size(), after.fds().size(),
                    before.sockets(), after.sockets(), before.threads().size(), after.threads().size(),
                    after.serverTcp());
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    /** {@code n} sequential hello exchanges, each on a new connection; at most 120 s. */
    private static LoadRun.Result hello(DisposableServer server, int n) throws Exception {
        return LoadRun.run("hello", server.port(), 150_000, mark -> { },
                "concurrency=1", "warmup_ms=0", "duration_ms=120000", "max_per_loop=" + n);
    }
}
