package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.randomBytes;
import static io.flowsock.reactive.Loopback.rawClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.Tls;
import io.flowsock.core.TlsException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * TLS over real loopback sockets for one backend: flowsock on both sides, and the JDK's
 * blocking {@link SSLSocket} as a peer nobody here wrote; the reactive contract under TLS
 * (plaintext inbound, half-close, close_notify) and each failure closing only its connection with
 * a {@link TlsException} that names why, while the server goes on serving.
 */
public abstract class TlsContract extends LoopbackFixture {
    private static final TestCertificates CA = TestCertificates.newCa("flowsock test CA");
    private static final TestCertificates.Identity SERVER = CA.leaf("localhost");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static SSLContext serverContext() {
        return CA.context(SERVER);
    }

    private TcpServer tlsServer() {
        return server().secure(Tls.server(serverContext()));
    }

    private TcpClient tlsClient(DisposableServer s) {
        return client(s).secure(Tls.client(CA.trusting()).withServerName("localhost"));
    }

    @Test
    public void anEchoOverTls13ReturnsEveryByteAndReportsTheSession() {
        DisposableServer server = bind(tlsServer().handle(conn -> conn.send(conn.inbound())));
        byte[] data = randomBytes(4 << 20, 7);
        Connection c = tlsClient(server).connectNow(WAIT);
        assertThat(c.tlsSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isEqualTo("TLSv1.3"));
        Mono<byte[]> back = collect(c.inbound());
        c.send(chunks(data, 20_000)).then(c.shutdownOutput()).subscribe();
        StepVerifier.create(back).assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(WAIT);
        c.dispose();
    }

    @Test
    public void theJdksSslSocketSpeaksTls12WithTheServer() throws Exception {
        AtomicReference<String> protocol = new AtomicReference<>();
        DisposableServer server = bind(tlsServer().handle(conn -> {
            protocol.set(conn.tlsSession().orElseThrow().getProtocol());
            return conn.send(conn.inbound());
        }));
        byte[] data = randomBytes(1 << 20, 8);
        try (Socket raw = rawClient(server.port());
             SSLSocket s = (SSLSocket) CA.trusting().getSocketFactory().createSocket(raw, "localhost", server.port(), true)) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setSoTimeout(20_000);
            s.startHandshake();
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> readExactly(s, data.length));
            OutputStream out = s.getOutputStream();
            out.write(data);
            out.flush();
            assertThat(back.get(20, TimeUnit.SECONDS)).isEqualTo(data);
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
        assertThat(protocol.get()).isEqualTo("TLSv1.2");
    }

    @Test
    public void aClientThatHalfClosesGetsTheWholeEchoBack() {
        // The server answers only once the client's close_notify and FIN came: the tail must not be lost.
        DisposableServer server = bind(tlsServer().handle(conn -> conn.send(collect(conn.inbound())
                .map(ByteBuffer::wrap))));
        byte[] data = randomBytes(300_000, 9);
        Connection c = tlsClient(server).connectNow(WAIT);
        Mono<byte[]> back = collect(c.inbound());
        c.send(chunks(data, 16_000)).then(c.shutdownOutput()).subscribe();
        StepVerifier.create(back).assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(WAIT);
        c.dispose();
    }

    @Test
    public void aHostnameMismatchFailsTheClientWithTheReason() {
        DisposableServer server = bind(tlsServer().handle(conn -> conn.send(conn.inbound())));
        TcpClient wrongName = client(server).secure(Tls.client(CA.trusting()).withServerName("other.example"));
        StepVerifier.create(wrongName.connect())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TlsException.class)
                        .satisfies(t -> assertThat(((TlsException) t).kind()).isEqualTo(TlsException.Kind.HOSTNAME_MISMATCH))
                        .hasMessageContaining("other.example"))
                .verify(WAIT);
        assertServes(server);
    }

    @Test
    public void aServerTheClientDoesNotTrustFailsTheHandshake() {
        DisposableServer server = bind(tlsServer().handle(conn -> conn.send(conn.inbound())));
        TestCertificates otherCa = TestCertificates.newCa("someone else");
        StepVerifier.create(client(server).secure(Tls.client(otherCa.trusting()).withServerName("localhost")).connect())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TlsException.class)
                        .satisfies(t -> assertThat(((TlsException) t).kind()).isEqualTo(TlsException.Kind.UNTRUSTED_CERTIFICATE))
                        .hasMessageContaining("127.0.0.1").hasMessageContaining("PKIX"))
                .verify(WAIT);
        assertServes(server);
    }

    @Test
    public void anExpiredServerCertificateFailsTheClientAsExpired() {
        TestCertificates.Identity expired = CA.leaf("localhost", Duration.ofDays(-1), "localhost");
        DisposableServer server = bind(server().secure(Tls.server(CA.context(expired))).handle(Connection::onClose));
        StepVerifier.create(tlsClient(server).connect())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TlsException.class)
                        .satisfies(t -> assertThat(((TlsException) t).kind()).isEqualTo(TlsException.Kind.EXPIRED_CERTIFICATE))
                        .hasMessageContaining("127.0.0.1"))
                .verify(WAIT);
    }

    @Test
    public void garbageInsteadOfAClientHelloClosesOnlyThatConnection() throws Exception {
        DisposableServer server = bind(tlsServer().handle(conn -> conn.send(conn.inbound())));
        try (Socket s = rawClient(server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = s.getInputStream().readAllBytes();     // an alert at most, then the close
            assertThat(answer.length).isLessThan(64);
        }
        assertServes(server);
    }

    @Test
    public void aPeerThatNeverHandshakesIsClosedAtTheHandshakeTimeout() throws Exception {
        DisposableServer server = bind(server().secure(Tls.server(serverContext())
                // long enough for the healthy handshake of assertServes below on a loaded machine
                .withHandshakeTimeout(Duration.ofSeconds(2))).handle(conn -> conn.send(conn.inbound())));
        try (Socket s = rawClient(server.port())) {
            s.setSoTimeout(10_000);
            long t0 = System.nanoTime();
            byte[] answer = s.getInputStream().readAllBytes();    // an alert at most, then the close
            assertThat(answer.length).isLessThan(64);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(9));
        }
        Loopback.await(() -> server.watchdogClosed() == 1, WAIT, "the handshake timeout counted as a watchdog close");
        assertServes(server);
    }

    @Test
    public void aFinWithoutCloseNotifyIsATruncation() throws Exception {
        AtomicReference<Throwable> error = new AtomicReference<>();
        CompletableFuture<byte[]> got = new CompletableFuture<>();
        DisposableServer server = bind(tlsServer().handle(conn -> collect(conn.inbound())
                .doOnNext(got::complete).doOnError(error::set).onErrorResume(e -> Mono.empty()).then()));
        try (Socket raw = rawClient(server.port())) {
            SSLSocket s = (SSLSocket) CA.trusting().getSocketFactory().createSocket(raw, "localhost", server.port(), false);
            s.startHandshake();
            s.getOutputStream().write(new byte[1000]);
            s.getOutputStream().flush();
            raw.shutdownOutput();                                 // FIN, no close_notify
            Loopback.await(() -> error.get() != null || got.isDone(), WAIT, "the server's inbound ended");
        }
        assertThat(got).isNotDone();
        assertThat(error.get()).isInstanceOf(TlsException.class)
                .satisfies(t -> assertThat(((TlsException) t).kind()).isEqualTo(TlsException.Kind.TRUNCATED));
    }

    @Test
    public void requiredClientCertificatesAreCheckedAndReported() {
        AtomicReference<String> peer = new AtomicReference<>();
        DisposableServer server = bind(server().secure(Tls.server(serverContext()).withClientAuth(Tls.ClientAuth.REQUIRE))
                .handle(conn -> {
                    peer.set(conn.tlsSession().map(s -> {
                        try {
                            return s.getPeerPrincipal().getName();
                        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                            return "none";
                        }
                    }).orElse("plaintext"));
                    return conn.send(conn.inbound());
                }));
        TcpClient anonymous = client(server).secure(Tls.client(CA.trusting()).withServerName("localhost"));
        // TLS 1.3: the server's refusal may reach the client only at its first read
        StepVerifier.create(anonymous.connect().flatMap(c -> c.send(Mono.just(Loopback.utf8("x")))
                        .then(collect(c.inbound()))))
                .expectError()
                .verify(WAIT);
        Connection c = client(server).secure(Tls.client(CA.context(CA.leaf("client-1"))).withServerName("localhost")).connectNow(WAIT);
        echoOnce(c);
        assertThat(peer.get()).isEqualTo("CN=client-1");
    }

    @Test
    public void alpnAgreesOnTheServersPreference() {
        DisposableServer server = bind(server().secure(Tls.server(serverContext()).withAlpn("h2", "http/1.1"))
                .handle(conn -> conn.send(Mono.just(Loopback.utf8(conn.applicationProtocol().orElse("none"))))));
        Connection c = client(server).secure(Tls.client(CA.trusting()).withServerName("localhost").withAlpn("http/1.1", "h2"))
                .connectNow(WAIT);
        assertThat(c.applicationProtocol()).contains("h2");
        StepVerifier.create(collect(c.inbound())).assertNext(b -> assertThat(new String(b, StandardCharsets.UTF_8))
                .isEqualTo("h2")).expectComplete().verify(WAIT);
        c.dispose();
    }

    @Test
    public void aSpecForTheWrongSideIsRefusedInTheCall() {
        assertThatThrownBy(() -> TcpServer.create().secure(Tls.client(CA.trusting())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Tls.server");
        assertThatThrownBy(() -> TcpClient.create().secure(Tls.server(serverContext())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Tls.client");
        assertThatThrownBy(() -> Tls.server(serverContext()).withHostnameVerification(false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client setting");
    }

    @Test
    public void opensslsClientVerifiesTheServerAndGetsItsEcho(@TempDir Path dir) throws Exception {
        assumeOpenssl();
        DisposableServer server = bind(tlsServer().handle(conn -> conn.send(conn.inbound())));
        Path caFile = TestCertificates.writePem(CA.ca().certificate(), dir.resolve("ca.pem"));
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-CAfile",
                caFile.toString(), "-servername", "localhost", "-verify_return_error", "-quiet", "-no_ign_eof")
                .redirectError(dir.resolve("s_client.err").toFile()).start();
        try {
            byte[] line = "hello over openssl\n".getBytes(StandardCharsets.US_ASCII);
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> readFrom(p.getInputStream(), line.length));
            p.getOutputStream().write(line);
            p.getOutputStream().flush();
            assertThat(back.get(20, TimeUnit.SECONDS)).as(Files.readString(dir.resolve("s_client.err")))
                    .isEqualTo(line);
            p.getOutputStream().close();                          // s_client sends close_notify and goes
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(dir.resolve("s_client.err"))).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    public void aClientVerifiesOpensslsServerWithSniAndAlpn(@TempDir Path dir) throws Exception {
        assumeOpenssl();
        TestCertificates.Identity id = CA.leaf("openssl-server", Duration.ofDays(1), "openssl.test");
        Path cert = TestCertificates.writePem(id.certificate(), dir.resolve("cert.pem"));
        Path key = TestCertificates.writeKeyPem(id, dir.resolve("key.pem"));
        int port = Loopback.closedPort();
        Process p = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", cert.toString(),
                "-key", key.toString(), "-rev", "-naccept", "1", "-alpn", "flowsock-test")
                .redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
        try {
            Path log = dir.resolve("s_server.log");
            Loopback.await(() -> readQuietly(log).contains("ACCEPT"), WAIT, "openssl s_server listening on " + port);
            Connection c = TcpClient.create().host("127.0.0.1").port(port).transport(transport)
                    .secure(Tls.client(CA.trusting()).withServerName("openssl.test").withAlpn("flowsock-test"))
                    .connectNow(WAIT);
            assertThat(c.applicationProtocol()).contains("flowsock-test");
            Mono<String> reply = c.inbound().map(b -> StandardCharsets.US_ASCII.decode(b).toString())
                    .scan(String::concat).filter(x -> x.contains("\n")).next();
            c.send(Mono.just(Loopback.utf8("olleh\n"))).subscribe();
            StepVerifier.create(reply).assertNext(r -> assertThat(r).isEqualTo("hello\n")).expectComplete().verify(WAIT);
            c.dispose();
        } finally {
            p.destroyForcibly();
        }
    }

    static void assumeOpenssl() {
        boolean present;
        try {
            present = new ProcessBuilder("openssl", "version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (java.io.IOException | InterruptedException e) {
            present = false;
        }
        Assumptions.assumeTrue(present, "openssl is not installed (Debian package openssl)");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static byte[] readFrom(InputStream in, int n) {
        try {
            return in.readNBytes(n);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh TLS client gets its echo: the server was not hurt by what came before. */
    private void assertServes(DisposableServer server) {
        echoOnce(tlsClient(server).connectNow(WAIT));
    }

    private static byte[] readExactly(Socket s, int n) {
        try {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            while (all.size() < n) {
                int r = in.read(buf);
                if (r < 0) {
                    break;
                }
                all.write(buf, 0, r);
            }
            return all.toByteArray();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
