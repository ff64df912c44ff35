package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.Protocol;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.resources.LoopResources;

/**
 * Reactor Netty's {@link HttpServer} with its defaults (HTTP/1.1, no access log, no compression),
 * on the transport {@link ReactorNettyServer} would pick (preferNative with the io_uring jars on
 * the class path or not; refuses to start where the named one is unavailable) and the same
 * socket settings: backlog 1024, SO_REUSEADDR, TCP_NODELAY; wrapped as the TCP contender's
 * server is, so the READY line names the channel class the same way.
 *
 * <p>A whole-body {@code Mono} response is sent as one full message with Content-Length, as
 * flowsock's is. Inbound {@code ByteBuf}s are released once onNext returns: the upload counts
 * their bytes there and keeps nothing.
 */
final class ReactorNettyHttpServer {
    private ReactorNettyHttpServer() {
    }

    static BenchServer start(int port, ReactorNettyServer.Native transport) {
        boolean available = switch (transport) {
            case EPOLL -> Epoll.isAvailable();
            case IO_URING -> io.netty.channel.uring.IoUring.isAvailable();
            case NONE -> true;
        };
        if (!available) {   // the contender's name would lie about what it measured
            throw new IllegalStateException(transport + " is not available");
        }
        AtomicInteger open = new AtomicInteger();
        LoopResources loops = LoopResources.create("rn-http-bench", LoopResources.DEFAULT_IO_WORKER_COUNT, true);
        DisposableServer server = HttpServer.create()
                .host(Protocol.HOST)
                .port(port)
                .runOn(loops, transport != ReactorNettyServer.Native.NONE)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .doOnConnection(conn -> {
                    open.incrementAndGet();
                    conn.onDispose(open::decrementAndGet);
                })
                .handle(ReactorNettyHttpServer::serve)
                .bindNow(Duration.ofSeconds(10));
        return new ReactorNettyServer(server, loops, open, false);
    }

    private static final WebsocketServerSpec DEFLATE = WebsocketServerSpec.builder().compress(true).build();

    private static Publisher<Void> serve(HttpServerRequest req, HttpServerResponse res) {
        return switch (req.fullPath()) {
            case HttpRoutes.HELLO_PATH -> res.header(HttpHeaderNames.CONTENT_TYPE, HttpRoutes.TEXT_PLAIN)
                    .sendString(Mono.just(HttpRoutes.HELLO));
            case HttpRoutes.UPLOAD_PATH -> req.receive()
                    .reduce(0L, (n, buf) -> n + buf.readableBytes())
                    .flatMap(n -> res.header(HttpHeaderNames.CONTENT_TYPE, HttpRoutes.TEXT_PLAIN)
                            .sendString(Mono.just(Long.toString(n))).then());
            // each frame as it came; retained, since inbound frames are released when onNext returns
            case HttpRoutes.WS_PATH -> res.sendWebsocket((in, out) -> out.sendObject(in.receiveFrames().map(f -> f.retain())));
            case HttpRoutes.WS_DEFLATE_PATH -> res.sendWebsocket((in, out) -> out.sendObject(in.receiveFrames().map(f -> f.retain())),
                    DEFLATE);
            default -> res.sendNotFound();
        };
    }
}
