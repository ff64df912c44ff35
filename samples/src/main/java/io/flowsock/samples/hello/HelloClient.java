package io.flowsock.samples.hello;

import io.flowsock.reactive.Connection;
import io.flowsock.reactive.TcpClient;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The client half of the hello exchange, and a load generator that repeats it on a new connection
 * each time (the seed's connection-per-exchange benchmark).
 *
 * <p>What it shows: the client does the graceful close. It sends "hello", and once all 10 bytes
 * of "hello back" are in it calls {@code close()}: FIN, read until the server's FIN, close. So the
 * client, not the server, ends up in TIME_WAIT, as in the seed. Like the server, it never cancels
 * inbound: it reads to the end of the stream, which the server's FIN marks.
 *
 * <pre>
 * java io.flowsock.samples.hello.HelloClient [host [port [seconds [concurrency]]]]
 *      (defaults: 127.0.0.1 7010 10 32)
 * </pre>
 */
public final class HelloClient {
    private HelloClient() {
    }

    /**
     * One exchange on a connected {@code conn}: send "hello", read "hello back", close gracefully.
     * Completes when the connection is closed; fails with
     * {@link ExpectedBytes.UnexpectedBytesException} if the reply is wrong or incomplete, or with
     * the connection's error.
     */
    public static Mono<Void> exchange(Connection conn) {
        return Flux.defer(() -> {
            ExpectedBytes reply = new ExpectedBytes(Greeting.HELLO_BACK);   // this connection's own state
            return conn.send(Mono.fromSupplier(Greeting::hello))
                    .thenMany(conn.inbound())
                    // The buffer completing the reply starts the graceful close, and inbound goes on
                    // to its end, the server's FIN. flatMap, not concatMap: concatMap would request
                    // no more inbound until close() completed, but close() waits for the server's
                    // FIN, which is only read while inbound has demand: stuck until the close timeout.
                    .flatMap(b -> reply.add(b) ? conn.close() : Mono.empty())
                    .doOnComplete(reply::requireComplete);
        }).then();
    }

    /** Runs a load against a hello server and prints one line per second and a summary. */
    public static void main(String[] args) {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : HelloServer.DEFAULT_PORT;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        TcpClient client = TcpClient.create().host(host).port(port);
        HelloLoad load = new HelloLoad(client, concurrency, Duration.ofSeconds(seconds));
        HelloResult result = ProgressReport.run(load, System.out);
        System.exit(result.connectErrors() + result.otherErrors() == 0 ? 0 : 1);
    }
}
