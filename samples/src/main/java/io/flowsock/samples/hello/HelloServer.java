package io.flowsock.samples.hello;

import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The server half of the hello exchange: replies "hello back" as soon as the 5 bytes of "hello"
 * are in, then waits for the client's FIN.
 *
 * <p>What it shows: reacting to the first bytes of a connection without cancelling inbound.
 * Cancelling inbound (take(1), next()) would close the connection abortively, so the handler
 * consumes inbound to its end and uses per-connection state to notice the moment "hello" is
 * complete. The handler completes when the client's FIN completes inbound (and the reply is
 * written); the server then closes its side gracefully: FIN after pending writes, and since the
 * client's FIN is already in, the connection closes at once. A wrong or excess byte fails the
 * handler, which closes the connection abortively so the client sees the error.
 *
 * <pre>
 * java io.flowsock.samples.hello.HelloServer [port]     (default 7010)
 * </pre>
 */
public final class HelloServer {
    /** The port main binds when none is given. */
    public static final int DEFAULT_PORT = 7010;

    private HelloServer() {
    }

    /** Binds a hello server on {@code host}:{@code port} (0 picks a free port), waiting up to 10 s. */
    public static DisposableServer start(String host, int port) {
        return TcpServer.create()
                .host(host)
                .port(port)
                // Many short connections: IOCPSOCK's HTTPD-like settings.
                .backlog(500).sendCap(1).recvBurst(1)
                .handle(HelloServer::handle)
                .bindNow(Duration.ofSeconds(10));
    }

    /** One connection: read "hello", reply "hello back", run until the client's FIN. */
    static Mono<Void> handle(Connection conn) {
        return Flux.defer(() -> {
            ExpectedBytes hello = new ExpectedBytes(Greeting.HELLO);   // this connection's own state
            return conn.inbound()
                    // concatMap keeps requesting inbound while the reply is written, so the
                    // client's FIN is seen; the reply is sent once, on the buffer completing "hello".
                    .concatMap(b -> hello.add(b) ? conn.send(Mono.fromSupplier(Greeting::helloBack)) : Mono.empty())
                    .doOnComplete(hello::requireComplete);
        }).then();
    }

    /** Runs until the process is killed. */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
        DisposableServer server = start("::", port);
        System.out.println("hello server listening on " + server.address() + "; stop it with Ctrl-C");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.disposeNow(Duration.ofSeconds(2)),
                "hello-shutdown"));
        Thread.currentThread().join();   // the port threads do the work; main only keeps the JVM up
    }
}
