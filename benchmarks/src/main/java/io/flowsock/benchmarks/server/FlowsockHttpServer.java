package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.Protocol;
import io.flowsock.core.Transport;
import io.flowsock.http.HttpServer;
import io.flowsock.http.HttpServerRequest;
import io.flowsock.http.HttpServerResponse;
import io.flowsock.http.WebSocketSpec;
import io.flowsock.reactive.DisposableServer;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.reactivestreams.Publisher;

/**
 * flowsock's {@link HttpServer} with its own defaults (sendcap 4, recvburst 1, TCP_NODELAY: what
 * it chose for many short exchanges) on the shared transport, which {@code -Dflowsock.transport}
 * picks as for the TCP contenders, and backlog 1024 like every contender; wrapped as the TCP
 * contender's server is, so the READY line names the transport the same way.
 */
final class FlowsockHttpServer {
    private FlowsockHttpServer() {
    }

    static BenchServer start(int port) {
        DisposableServer server = HttpServer.create()
                .host(Protocol.HOST)
                .port(port)
                .tcp(t -> t.transport(Transport.shared()).backlog(1024))
                .handle(FlowsockHttpServer::serve)
                .bindNow(Duration.ofSeconds(10));
        return new FlowsockServer(server, " http");
    }

    private static final WebSocketSpec DEFLATE = WebSocketSpec.defaults().compress(true);

    private static Publisher<Void> serve(HttpServerRequest req, HttpServerResponse res) {
        return switch (req.path()) {
            case HttpRoutes.HELLO_PATH -> res.header("Content-Type", HttpRoutes.TEXT_PLAIN).sendString(HttpRoutes.HELLO);
            // read in place, as Reactor Netty's handler reads its ByteBufs: counted, not copied
            case HttpRoutes.UPLOAD_PATH -> req.receive(ByteBuffer::remaining)
                    .reduce(0L, (n, len) -> n + len)
                    .flatMap(n -> res.header("Content-Type", HttpRoutes.TEXT_PLAIN).sendString(Long.toString(n)));
            case HttpRoutes.WS_PATH -> res.sendWebSocket(ws -> ws.send(ws.receive()));
            case HttpRoutes.WS_DEFLATE_PATH -> res.sendWebSocket(DEFLATE, ws -> ws.send(ws.receive()));
            default -> res.sendNotFound();
        };
    }
}
