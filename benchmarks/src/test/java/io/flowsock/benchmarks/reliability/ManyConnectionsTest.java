package io.flowsock.benchmarks.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.flowsock.benchmarks.server.Behaviour;
import io.flowsock.benchmarks.server.FlowsockServer;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Many connections: 10,000 open at once from the benchmarks' idle load in its own JVM (this JVM's
 * descriptor limit is 20,000, so the server's 10,000 sockets fit and the client's do not need
 * to). Once all are held, each sends one byte and reads its echo; then all close.
 */
@SlowLoad
class ManyConnectionsTest {
    static final int CONNECTIONS = 10_000;

    @Test
    void tenThousandConcurrentConnectionsAllEchoThenCloseLeavingNothing() throws Exception {
        DisposableServer server = LoopbackServer.bind(TcpServer.create().handle(FlowsockServer.handler(Behaviour.ECHO)));
        try {
            idle(server, 200, new AtomicReference<>());   // warm-up
            Footprint before = Footprint.quiet(server, Duration.ofSeconds(20));
            AtomicReference<Footprint> held = new AtomicReference<>();

            LoadRun.Result r = idle(server, CONNECTIONS, held);

            assertThat(r.num("connections")).as("connections the load held: %s", r).isEqualTo(CONNECTIONS);
            assertThat(r.errorCount()).as("failed connects and echoes: %s", r).isZero();
            assertThat(held.get().connections()).as("connections the server held at once").isEqualTo(CONNECTIONS);
            assertThat(held.get().sockets() - before.sockets()).as("server sockets open at once")
                    .isGreaterThanOrEqualTo(CONNECTIONS);
            Footprint after = Footprint.assertBackTo(before, server, Duration.ofSeconds(30));
            System.out.printf("many: %d connections held at once, each echoed 1 byte, 0 failed; fds %d -> %d held"
                            + " -> %d, threads %d -> %d held -> %d, server sockets after %s%n", CONNECTIONS,
                    before.fds().size(), held.get().fds().size(), after.fds().size(), before.threads().size(),
                    held.get().threads().size(), after.threads().size(), after.serverTcp());
        } finally {
            server.disposeNow(Duration.ofSeconds(10));
        }
    }

    /**
     * {@code n} connections opened one after another and held; at MARK held, waits until the server
     * holds them all and takes the footprint; then the load echoes one byte on each and closes.
     */
    private static LoadRun.Result idle(DisposableServer server, int n, AtomicReference<Footprint> held)
            throws Exception {
        return LoadRun.run("idle", server.port(), 120_000, mark -> {
            if (mark.startsWith("held ")) {
                int opened = Integer.parseInt(mark.substring("held ".length()).trim());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (server.connections() < opened && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                if (server.connections() < opened) {
                    fail("the server holds " + server.connections() + " of the " + opened + " connections the load opened");
                }
                held.set(Footprint.of(server));
            }
        }, "connections=" + n);
    }
}
