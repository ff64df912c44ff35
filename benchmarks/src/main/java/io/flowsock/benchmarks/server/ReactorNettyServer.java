package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.Protocol;
import io.flowsock.benchmarks.TlsFiles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.NettyInbound;
import reactor.netty.NettyOutbound;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpServer;

/**
 * The Reactor Netty contenders: {@code reactor.netty.tcp.TcpServer} with its default event-loop
 * count, on a native transport ({@code runOn(loops, true)}, Reactor Netty's preferNative) or
 * forced onto Java NIO. Reactor Netty 1.3 prefers io_uring when Netty's io_uring transport is on
 * the class path and {@code IoUring.isAvailable()}, else epoll: the runner puts the io_uring jars
 * on reactor-netty-uring's class path only, and each server refuses to start when the transport
 * it is named after is unavailable. Same socket settings as the others: backlog 1024,
 * SO_REUSEADDR, TCP_NODELAY. With TLS, {@code secure(spec -> spec.sslContext(...))} over Netty's
 * JDK provider ({@code SslProvider.JDK}, the JDK's SSLEngine as flowsock uses it), from the same
 * key manager as flowsock's, TLS 1.3 and the one cipher suite the load offers.
 *
 * <p>Inbound {@link ByteBuf}s are released by Reactor Netty once onNext returns, so the hello
 * handler reads them in place and the echo handler retains what it sends on.
 */
final class ReactorNettyServer implements BenchServer {
    private final DisposableServer server;
    private final LoopResources loops;
    private final AtomicInteger open;   // event-loop threads count up and down; read by the main thread
    private final boolean tls;

    ReactorNettyServer(DisposableServer server, LoopResources loops, AtomicInteger open, boolean tls) {
        this.server = server;
        this.loops = loops;
        this.open = open;
        this.tls = tls;
    }

    /** Which transport preferNative must end up on; NONE forces Java NIO. */
    enum Native {
        EPOLL, IO_URING, NONE
    }

    /** {@code keys}: the server's key for TLS, or null for plaintext. */
    static ReactorNettyServer start(Behaviour behaviour, int port, Native transport, KeyManagerFactory keys)
            throws SSLException {
        requireAvailable(transport);
        boolean nativeTransport = transport != Native.NONE;
        AtomicInteger open = new AtomicInteger();
        LoopResources loops = LoopResources.create("rn-bench", LoopResources.DEFAULT_IO_WORKER_COUNT, true);
        TcpServer tcp = TcpServer.create()
                .host(Protocol.HOST)
                .port(port)
                .runOn(loops, nativeTransport)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .doOnConnection(conn -> {
                    open.incrementAndGet();
                    conn.onDispose(open::decrementAndGet);
                })
                .handle(handler(behaviour));
        if (keys != null) {
            SslContext ssl = SslContextBuilder.forServer(keys)
                    .sslProvider(SslProvider.JDK)
                    .protocols(TlsFiles.PROTOCOL)
                    .ciphers(List.of(TlsFiles.CIPHER))
                    .build();
            tcp = tcp.secure(spec -> spec.sslContext(ssl));
        }
        DisposableServer server = tcp.bindNow(Duration.ofSeconds(10));
        return new ReactorNettyServer(server, loops, open, keys != null);
    }

    /** Measuring NIO under a native name would be a silent lie: refuses a native transport that is unavailable. */
    static void requireAvailable(Native transport) {
        if (transport == Native.EPOLL && !Epoll.isAvailable()) {
            throw new IllegalStateException("epoll is not available", Epoll.unavailabilityCause());
        }
        if (transport == Native.IO_URING && !io.netty.channel.uring.IoUring.isAvailable()) {
            throw new IllegalStateException("io_uring is not available", io.netty.channel.uring.IoUring.unavailabilityCause());
        }
    }

    private static BiFunction<NettyInbound, NettyOutbound, Publisher<Void>> handler(Behaviour behaviour) {
        return switch (behaviour) {
            case HELLO -> ReactorNettyServer::hello;
            case GREET -> (in, out) -> out.sendByteArray(Mono.just(new byte[] {Protocol.GREETING}))
                    .then()
                    .thenMany(in.receive())
                    .then();
            case DISCARD -> (in, out) -> in.receive().then();
            case ECHO -> (in, out) -> out.send(in.receive().retain());
            case HTTP -> throw new IllegalArgumentException("HTTP is served by HttpRoutes");
            case UDP_ECHO -> throw new IllegalArgumentException("UDP is served by UdpEchoServers");
            case WEBFLUX -> throw new IllegalArgumentException("WebFlux is served by benchmarks-spring");
        };
    }

    private static Publisher<Void> hello(NettyInbound in, NettyOutbound out) {
        HelloMatcher matcher = new HelloMatcher();
        return out.send(in.receive().<ByteBuf>handle((buf, sink) -> {
            boolean complete = false;
            for (int i = buf.readerIndex(); i < buf.writerIndex(); i++) {
                complete |= matcher.add(buf.getByte(i));
            }
            if (complete) {
                sink.next(Unpooled.wrappedBuffer(Protocol.HELLO_BACK));
            }
        }));
    }

    @Override
    public String describe() {
        return "reactor-netty channel=" + server.channel().getClass().getSimpleName()
                + " workers=" + LoopResources.DEFAULT_IO_WORKER_COUNT + " address=" + server.address()
                + (tls ? " tls=" + TlsFiles.PROTOCOL + " provider=JDK" : "");
    }

    @Override
    public int connections() {
        return open.get();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
    }
}
