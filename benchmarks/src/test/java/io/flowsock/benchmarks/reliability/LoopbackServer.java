package io.flowsock.benchmarks.reliability;

import io.flowsock.benchmarks.Protocol;
import io.flowsock.core.BindException;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.net.StandardSocketOptions;
import java.time.Duration;

/** Binds the server under test on loopback, as the benchmarks' flowsock contender does. */
final class LoopbackServer {
    private LoopbackServer() {
    }

    /**
     * {@code server} on 127.0.0.1, any free port, backlog 1024, TCP_NODELAY. Load tests leave tens
     * of thousands of TIME_WAIT sockets behind, and then a bind to port 0 can find no free port
     * for a moment: retried for up to 10 s.
     */
    static DisposableServer bind(TcpServer server) throws InterruptedException {
        TcpServer configured = server.host(Protocol.HOST).port(0).backlog(1024)
                .option(StandardSocketOptions.TCP_NODELAY, true);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return configured.bindNow(Duration.ofSeconds(10));
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }
}
