package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.Protocol;
import io.flowsock.benchmarks.TlsFiles;
import io.flowsock.core.Tls;
import io.flowsock.core.Transport;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The flowsock contender: {@link TcpServer} on the shared (default nio2) transport with the
 * library's default tunables, TCP_NODELAY and backlog 1024 like every other contender. With TLS,
 * {@code secure(Tls.server(context))} over the run's key, TLS 1.3 only. The taps-off variant says
 * {@code wiretap(false)} and {@code metrics(false)} out loud: it must cost what the default costs.
 *
 * <p>Each handler consumes inbound to completion: cancelling inbound would close the connection
 * abortively, and every scenario's client ends with a FIN that completes it.
 */
public final class FlowsockServer implements BenchServer {
    private final DisposableServer server;
    private final String extra;

    /** {@code extra}: what the READY line adds after the address. */
    FlowsockServer(DisposableServer server, String extra) {
        this.server = server;
        this.extra = extra;
    }

    /** {@code tls}: the server's context, or null for plaintext; {@code tapsOff}: the explicit off switches. */
    static FlowsockServer start(Behaviour behaviour, int port, SSLContext tls, boolean tapsOff) {
        TcpServer s = TcpServer.create()
                .host(Protocol.HOST)
                .port(port)
                .backlog(1024)
                .option(StandardSocketOptions.TCP_NODELAY, true)
                .handle(handler(behaviour));
        if (tls != null) {
            s = s.secure(Tls.server(tls).withProtocols(TlsFiles.PROTOCOL));
        }
        if (tapsOff) {
            s = s.wiretap(false).metrics(false);
        }
        return new FlowsockServer(s.bindNow(Duration.ofSeconds(10)),
                (tls != null ? " tls=" + TlsFiles.PROTOCOL : "") + (tapsOff ? " taps=off" : ""));
    }

    /** What the flowsock contender does with each connection; a test's own TcpServer can run it too. */
    public static Function<Connection, Publisher<Void>> handler(Behaviour behaviour) {
        return switch (behaviour) {
            case HELLO -> FlowsockServer::hello;
            case GREET -> conn -> conn.send(Mono.fromSupplier(() -> ByteBuffer.wrap(new byte[] {Protocol.GREETING})))
                    .thenMany(conn.inbound())
                    .then();
            case DISCARD -> conn -> conn.inbound().then();
            case ECHO -> conn -> conn.send(conn.inbound());
            case HTTP -> throw new IllegalArgumentException("HTTP is served by HttpRoutes");
            case UDP_ECHO -> throw new IllegalArgumentException("UDP is served by UdpEchoServers");
            case WEBFLUX -> throw new IllegalArgumentException("WebFlux is served by benchmarks-spring");
        };
    }

    /** Replies once "hello" is complete; the send ends when inbound ends at the client's FIN. */
    private static Publisher<Void> hello(Connection conn) {
        HelloMatcher matcher = new HelloMatcher();
        return conn.send(conn.inbound().handle((buf, sink) -> {
            boolean complete = false;
            while (buf.hasRemaining()) {
                complete |= matcher.add(buf.get());
            }
            if (complete) {
                sink.next(ByteBuffer.wrap(Protocol.HELLO_BACK));   // a new buffer each time: the send owns it
            }
        }));
    }

    @Override
    public String describe() {
        Transport t = Transport.shared();
        return "flowsock transport=" + t.name() + " ports=" + t.ports().size() + " address=" + server.address() + extra;
    }

    @Override
    public int connections() {
        return server.connections();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }
}
