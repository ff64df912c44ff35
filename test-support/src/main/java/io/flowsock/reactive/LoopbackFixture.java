package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * What the backend suites share: a fresh transport of the backend under test for each test, servers
 * and clients on it over loopback, and everything disposed after the test. A backend's suite
 * subclasses {@link ConnectionContract} or {@link FaultContract} and supplies its transport.
 */
public abstract class LoopbackFixture {

    static final Duration VERIFY = Duration.ofSeconds(20);

    /** The backend under test, created fresh for each test and closed after it. */
    protected abstract Transport newTransport();

    protected Transport transport;
    /** Disposed after each test; a protocol's fixture on top (HTTP) adds its servers here too. */
    protected final List<DisposableServer> servers = new ArrayList<>();
    /** Fed on port threads: a lock-free queue, since a port thread must never park on a lock. */
    final java.util.Queue<Connection> accepted = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @BeforeEach
    public void openTransport() {
        transport = newTransport();
    }

    @AfterEach
    public void closeAll() {
        for (DisposableServer s : servers) {
            s.disposeNow(Duration.ofSeconds(5));
        }
        transport.close();
    }

    /**
     * Whether this suite runs over TLS: its servers and clients {@code secure(..)} with
     * {@link TlsLoopback}'s certificates, and its peers are the JDK's SSLSocket. A TLS subclass of a
     * contract overrides this and nothing else, so the same tests prove the same behaviour there.
     */
    protected boolean secured() {
        return false;
    }

    /**
     * For a test about the TCP byte stream itself (bytes a plain socket puts on the wire): skipped
     * over TLS, with {@code why} as the reason the report shows.
     */
    protected void onlyOverPlainTcp(String why) {
        Assumptions.assumeFalse(secured(), why);
    }

    TcpServer server() {
        TcpServer s = TcpServer.create().host("127.0.0.1").port(0).transport(transport).doOnConnection(accepted::add);
        return secured() ? s.secure(TlsLoopback.serverSpec()) : s;
    }

    DisposableServer bind(TcpServer s) {
        DisposableServer d = s.bindNow(Duration.ofSeconds(10));
        servers.add(d);
        return d;
    }

    TcpClient client(DisposableServer s) {
        TcpClient c = TcpClient.create().host("127.0.0.1").port(s.port()).transport(transport);
        return secured() ? c.secure(TlsLoopback.clientSpec()) : c;
    }

    /**
     * A blocking JDK socket peer of {@code s}, with a read timeout so a broken test cannot hang:
     * a plain one, or over TLS an SSLSocket whose handshake is done.
     */
    Socket peer(DisposableServer s) throws IOException {
        Socket tcp = Loopback.rawClient(s.port());
        if (!secured()) {
            return tcp;
        }
        return new TlsPeerSocket(TlsLoopback.over(tcp), tcp);
    }

    /** Resets the peer's TCP connection (SO_LINGER 0, close): over TLS no close_notify goes first. */
    static void reset(Socket peer) throws IOException {
        if (peer instanceof TlsPeerSocket tls) {
            tls.reset();
            return;
        }
        peer.setSoLinger(true, 0);
        peer.close();
    }

    Connection nextAccepted() {
        await(() -> !accepted.isEmpty(), Duration.ofSeconds(10), "a connection accepted within 10 s");
        return accepted.poll();
    }

    static Flux<ByteBuffer> chunks(byte[] data, int chunk) {
        return Flux.range(0, (data.length + chunk - 1) / chunk)
                .map(i -> ByteBuffer.wrap(data, i * chunk, Math.min(chunk, data.length - i * chunk)));
    }

    static Mono<byte[]> collect(Flux<ByteBuffer> in) {
        return in.collect(ByteArrayOutputStream::new, (out, b) -> out.write(b.array(), b.arrayOffset() + b.position(),
                b.remaining())).map(ByteArrayOutputStream::toByteArray);
    }

    /** 64 MiB to a peer that does not read: it stays pending once the socket buffers are full. */
    static CompletableFuture<Void> sendThePeerNeverReads(Connection conn) {
        CompletableFuture<Void> send = conn.send(Flux.range(0, 64).map(i -> ByteBuffer.wrap(new byte[1 << 20])))
                .toFuture();
        await(() -> conn.sendCap().inUse() > 0, VERIFY, "send in flight");
        return send;
    }

    /** Echoes "echo" over {@code c}, half-closing after it, expects it back whole, then disposes {@code c}. */
    static void echoOnce(Connection c) {
        Mono<byte[]> back = collect(c.inbound());
        c.send(Flux.just(Loopback.utf8("echo"))).then(c.shutdownOutput()).subscribe();
        StepVerifier.create(back).assertNext(b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("echo"))
                .expectComplete().verify(VERIFY);
        c.dispose();
    }

    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
