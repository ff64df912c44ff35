package io.flowsock.samples.http;

import io.flowsock.http.HttpServer;
import io.flowsock.http.HttpServerRequest;
import io.flowsock.http.HttpServerResponse;
import io.flowsock.reactive.DisposableServer;
import java.time.Duration;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * An HTTP/1.1 server in a dozen lines: three routes that show the three ways a body goes out, and a
 * WebSocket.
 *
 * <ul>
 *   <li>{@code GET /hello}: "Hello, World!" as text/plain, with Content-Length (a whole body);</li>
 *   <li>{@code POST /echo}: the request body streamed back as it arrives, chunked; the client is
 *       slowed through TCP when it sends faster than it reads;</li>
 *   <li>{@code GET /stream?chunks=N}: N lines, each its own chunk;</li>
 *   <li>{@code GET /ws}: a WebSocket that sends every message back.</li>
 * </ul>
 *
 * <pre>
 * java io.flowsock.samples.http.HttpHelloServer [port]     (default 8080; 0 picks a free one)
 * curl -v http://localhost:8080/hello http://localhost:8080/hello      (one connection, reused)
 * curl --data-binary @somefile http://localhost:8080/echo
 * </pre>
 */
public final class HttpHelloServer {
    /** The port main binds when none is given. */
    public static final int DEFAULT_PORT = 8080;
    /** Most chunks /stream sends, so a typo in the query cannot keep the server busy for hours. */
    public static final int MAX_CHUNKS = 1_000_000;

    private HttpHelloServer() {
    }

    /** Binds on {@code host}:{@code port}, waiting up to 10 seconds; the caller disposes it. */
    public static DisposableServer start(String host, int port) {
        return HttpServer.create()
                .host(host)
                .port(port)
                .handle(HttpHelloServer::route)
                .bindNow(Duration.ofSeconds(10));
    }

    static Publisher<Void> route(HttpServerRequest req, HttpServerResponse res) {
        switch (req.path()) {
            case "/hello":
                return req.method().equals("GET") || req.method().equals("HEAD")
                        ? res.sendString("Hello, World!") : methodNotAllowed(res, "GET");
            case "/echo":
                return req.method().equals("POST") ? res.send(req.receive()) : methodNotAllowed(res, "POST");
            case "/stream":
                int chunks;
                try {
                    chunks = Integer.parseInt(req.queryParam("chunks").orElse("10"));
                } catch (NumberFormatException e) {
                    chunks = -1;
                }
                if (chunks < 0 || chunks > MAX_CHUNKS) {
                    return res.status(400).sendString("chunks must be 0.." + MAX_CHUNKS + "\n");
                }
                res.header("Content-Type", "text/plain; charset=utf-8");
                return res.sendString(Flux.range(1, chunks).map(i -> "chunk " + i + "\n"));
            case "/ws":
                return res.sendWebSocket(ws -> ws.send(ws.receive()));
            default:
                return res.sendNotFound();
        }
    }

    private static Publisher<Void> methodNotAllowed(HttpServerResponse res, String allowed) {
        return res.status(405).header("Allow", allowed + (allowed.equals("GET") ? ", HEAD" : "")).send();
    }

    /** Runs until the process is killed. */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
        DisposableServer server = start("::", port);
        System.out.println("http server listening on " + server.address() + "; try curl http://localhost:"
                + server.port() + "/hello; stop it with Ctrl-C");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.disposeNow(Duration.ofSeconds(5)),
                "http-shutdown"));
        Thread.currentThread().join();
    }
}
