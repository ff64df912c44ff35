package io.flowsock.samples.echo;

import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.time.Duration;

/**
 * The smallest useful flowsock server: it sends back every byte it receives.
 *
 * <p>What it shows: a handler is a Publisher, and the connection lives while it runs.
 * {@code conn.send(conn.inbound())} completes when the peer's FIN has completed inbound and every
 * echoed byte is written; the server then closes its side gracefully. Backpressure runs end to
 * end: a client that stops reading fills the TCP window, the echo's send stops requesting, so
 * inbound stops posting reads and the client's writes stall. Nothing is buffered without bound.
 *
 * <pre>
 * java io.flowsock.samples.echo.EchoServer [port]     (default 7007; 0 picks a free one)
 * </pre>
 */
public final class EchoServer {
    /** The port main binds when none is given. */
    public static final int DEFAULT_PORT = 7007;

    private EchoServer() {
    }

    /**
     * Binds an echo server on {@code host}:{@code port} (port 0 picks a free one), waiting up to
     * 10 seconds. The caller owns the returned server and disposes it.
     */
    public static DisposableServer start(String host, int port) {
        return TcpServer.create()
                .host(host)
                .port(port)
                .handle(conn -> conn.send(conn.inbound()))
                .bindNow(Duration.ofSeconds(10));
    }

    /** Runs until the process is killed. */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
        DisposableServer server = start("::", port);
        System.out.println("echo server listening on " + server.address() + "; stop it with Ctrl-C");
        // Dispose on Ctrl-C so connections get a graceful close rather than a reset.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.disposeNow(Duration.ofSeconds(2)),
                "echo-shutdown"));
        Thread.currentThread().join();   // the port threads do the work; main only keeps the JVM up
    }
}
