package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Channel;
import io.flowsock.core.ChannelObserver;
import io.flowsock.core.Tls;
import io.flowsock.core.TlsException;
import io.flowsock.core.TlsKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Client authentication from PEM files over real loopback sockets for one backend: a server made
 * from PEM files trusting the client CAs of a PEM file, clients presenting a certificate from PEM
 * files (flowsock's and OpenSSL's), each refusal a {@link TlsException} on both sides, and both
 * sides' keys reloaded while the server runs. The servers' and the clients' certificates come from
 * two different CAs, so a server that accepts a client can only have learned its CA from the file.
 */
public abstract class TlsClientAuthContract extends LoopbackFixture {
    private static final TestCertificates SERVER_CA = TestCertificates.newCa("flowsock server CA");
    private static final TestCertificates CLIENT_CA = TestCertificates.newCa("flowsock client CA");
    private static final TestCertificates.Identity SERVER = SERVER_CA.leaf("localhost");
    private static final TestCertificates.Identity CLIENT = CLIENT_CA.leaf("client-1");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private Path serverChain;
    private Path serverKey;
    private Path serverCa;
    private Path clientCa;
    private Path clientChain;
    private Path clientKey;
    /** Every server's connections' peer certificates, or "none", as the handler saw them; port threads add. */
    private final Queue<String> peers = new ConcurrentLinkedQueue<>();
    /** The servers' failed handshakes, as their observer was told; port threads add. */
    private final Queue<Throwable> serverFailures = new ConcurrentLinkedQueue<>();

    @BeforeEach
    public void writePemFiles() throws Exception {
        serverChain = TestCertificates.writeChainPem(SERVER, dir.resolve("server-chain.pem"));
        serverKey = TestCertificates.writeKeyPem(SERVER, dir.resolve("server-key.pem"));
        serverCa = TestCertificates.writePem(SERVER_CA.ca().certificate(), dir.resolve("server-ca.pem"));
        clientCa = TestCertificates.writePem(CLIENT_CA.ca().certificate(), dir.resolve("client-ca.pem"));
        clientChain = TestCertificates.writeChainPem(CLIENT, dir.resolve("client-chain.pem"));
        clientKey = TestCertificates.writeKeyPem(CLIENT, dir.resolve("client-key.pem"));
    }

    @Test
    @Timeout(60)
    public void aRequiredClientCertificateFromPemIsTrustedByTheServersPemFileAndSeenByItsHandler() {
        DisposableServer server = bind(mtlsServer(Tls.server(serverChain, serverKey), Tls.ClientAuth.REQUIRE));
        Connection c = client(server).secure(pemClient().withKeys(clientChain, clientKey)).connectNow(WAIT);
        assertThat(c.tlsSession().orElseThrow().getLocalCertificates()).containsExactly(CLIENT.chain());
        echoOnce(c);
        assertThat(peers).containsExactly(CLIENT.certificate().getSubjectX500Principal().getName());
        assertThat(serverFailures).isEmpty();

        // without a certificate: refused by the server, and the client hears of it as a TlsException
        assertRefused(server, pemClient(), "TLSv1.3");
        assertRefused(server, pemClient(), "TLSv1.2");
        assertThat(serverFailures).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(TlsException.class));
        assertThat(peers).hasSize(1);
    }

    @Test
    @Timeout(60)
    public void anUntrustedClientCertificateFailsTheHandshakeWithATlsExceptionOnBothSides() throws Exception {
        DisposableServer server = bind(mtlsServer(Tls.server(serverChain, serverKey), Tls.ClientAuth.REQUIRE));
        TestCertificates.Identity stranger = TestCertificates.newCa("a CA nobody trusts").leaf("stranger");
        Tls strangerTls = pemClient().withKeys(TestCertificates.writeChainPem(stranger, dir.resolve("s-chain.pem")),
                TestCertificates.writeKeyPem(stranger, dir.resolve("s-key.pem")));
        assertRefused(server, strangerTls, "TLSv1.3");
        assertRefused(server, strangerTls, "TLSv1.2");
        assertThat(serverFailures).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(TlsException.class)
                .satisfies(t -> assertThat(((TlsException) t).kind())
                        .isEqualTo(TlsException.Kind.UNTRUSTED_CERTIFICATE))
                .hasMessageContaining("127.0.0.1"));
        assertThat(peers).isEmpty();

        // the trust is the file's: the same server without it (the JDK's default trust) refuses our own client
        serverFailures.clear();
        DisposableServer defaultTrust = bind(observed(server().secure(Tls.server(serverChain, serverKey)
                .withClientAuth(Tls.ClientAuth.REQUIRE))));
        assertRefused(defaultTrust, pemClient().withKeys(clientChain, clientKey), "TLSv1.3");
        assertThat(serverFailures).singleElement().satisfies(t ->
                assertThat(((TlsException) t).kind()).isEqualTo(TlsException.Kind.UNTRUSTED_CERTIFICATE));
        // and the first server, unhurt, serves a client it trusts
        echoOnce(client(server).secure(pemClient().withKeys(clientChain, clientKey)).connectNow(WAIT));
    }

    @Test
    @Timeout(60)
    public void optionalClientAuthServesAClientWithoutACertificateAndSeesTheCertificateOfOneWithIt() {
        DisposableServer server = bind(mtlsServer(Tls.server(TlsKeys.fromPem(serverChain, serverKey)),
                Tls.ClientAuth.OPTIONAL));
        echoOnce(client(server).secure(pemClient()).connectNow(WAIT));
        echoOnce(client(server).secure(pemClient().withKeys(TlsKeys.fromPem(clientChain, clientKey))).connectNow(WAIT));
        assertThat(peers).containsExactly("none", CLIENT.certificate().getSubjectX500Principal().getName());
        assertThat(serverFailures).isEmpty();
    }

    @Test
    @Timeout(60)
    public void reloadedKeysOnEitherSideAreShownAtTheNextHandshakeWithClientAuthOn() throws Exception {
        TlsKeys serverKeys = TlsKeys.fromPem(serverChain, serverKey);
        TlsKeys clientKeys = TlsKeys.fromPem(clientChain, clientKey);
        DisposableServer server = bind(mtlsServer(Tls.server(serverKeys), Tls.ClientAuth.REQUIRE));
        TcpClient client = client(server).secure(pemClient().withKeys(clientKeys));
        Connection first = client.connectNow(WAIT);
        assertThat(peerCertificate(first.tlsSession().orElseThrow())).isEqualTo(SERVER.certificate());
        echoOnce(first);

        TestCertificates.Identity renewedClient = CLIENT_CA.leaf("client-1-renewed");
        TestCertificates.Identity renewedServer = SERVER_CA.leaf("localhost-renewed");
        TestCertificates.writeChainPem(renewedClient, clientChain);
        TestCertificates.writeKeyPem(renewedClient, clientKey);
        clientKeys.reload();
        TestCertificates.writeChainPem(renewedServer, serverChain);
        TestCertificates.writeKeyPem(renewedServer, serverKey);
        serverKeys.reload();

        Connection second = client.connectNow(WAIT);      // the same specs: only the keys' files changed
        assertThat(peerCertificate(second.tlsSession().orElseThrow())).isEqualTo(renewedServer.certificate());
        echoOnce(second);
        assertThat(peers).containsExactly(CLIENT.certificate().getSubjectX500Principal().getName(),
                renewedClient.certificate().getSubjectX500Principal().getName());
    }

    @Test
    @Timeout(90)
    public void opensslsClientWithCertAndKeyIsServedAndWithoutThemIsRefused() throws Exception {
        TlsContract.assumeOpenssl();
        DisposableServer server = bind(mtlsServer(Tls.server(serverChain, serverKey), Tls.ClientAuth.REQUIRE));
        byte[] line = "hello with a client certificate\n".getBytes(StandardCharsets.US_ASCII);
        Process p = sClient(server, "with-cert", "-cert", clientChain.toString(), "-key", clientKey.toString());
        try {
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> readFrom(p, line.length));
            p.getOutputStream().write(line);
            p.getOutputStream().flush();
            assertThat(back.get(20, TimeUnit.SECONDS)).as(stderr("with-cert")).isEqualTo(line);
            p.getOutputStream().close();                          // s_client sends close_notify and goes
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(stderr("with-cert")).isZero();
        } finally {
            p.destroyForcibly();
        }
        assertThat(peers).containsExactly(CLIENT.certificate().getSubjectX500Principal().getName());

        Process anonymous = sClient(server, "anonymous");
        try {
            anonymous.getOutputStream().write(line);
            anonymous.getOutputStream().flush();
            byte[] got = anonymous.getInputStream().readAllBytes();   // the server's alert ends it
            assertThat(anonymous.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(got).as(stderr("anonymous")).isEmpty();
        } finally {
            anonymous.destroyForcibly();
        }
        Loopback.await(() -> !serverFailures.isEmpty(), WAIT, "the server's handshake with s_client failed");
        assertThat(serverFailures).singleElement().isInstanceOf(TlsException.class)
                .satisfies(t -> assertThat(t).hasMessageContaining("certificate"));
        assertThat(peers).hasSize(1);
    }

    /** A server over {@code tls} trusting the client CA's file, asking as {@code auth} says, recording what it saw. */
    private TcpServer mtlsServer(Tls tls, Tls.ClientAuth auth) {
        return observed(server().secure(tls.withTrustedCertificates(clientCa).withClientAuth(auth)));
    }

    /** {@code s} whose handler echoes and records the peer's certificate, with failed handshakes recorded. */
    private TcpServer observed(TcpServer s) {
        ChannelObserver failures = new ChannelObserver() {
            @Override
            public void handshakeDone(Channel channel, long nanos, Throwable failure) {
                if (failure != null) {
                    serverFailures.add(failure);
                }
            }
        };
        // the metrics' place among the taps: the one observer a test may install besides the wiretap
        return s.with(s.channel, s.transport, s.taps.withMetrics(failures)).handle(conn -> {
            peers.add(peerName(conn.tlsSession().orElseThrow()));
            return conn.send(conn.inbound());
        });
    }

    private Tls pemClient() {
        return Tls.client(serverCa).withServerName("localhost");
    }

    /**
     * A client over {@code tls} offering only {@code protocol} fails with a TlsException carrying the
     * server's alert: under TLS 1.2 the connect itself, under TLS 1.3 (where the client's part of the
     * handshake ends before the server has checked its certificate) at the latest its first read.
     */
    private void assertRefused(DisposableServer server, Tls tls, String protocol) {
        int before = serverFailures.size();
        // only reads: a write reaching the closed server could draw a reset ahead of its alert
        Mono<byte[]> attempt = client(server).secure(tls.withProtocols(protocol)).connect()
                .flatMap(c -> collect(c.inbound()).doFinally(s -> c.dispose()));
        StepVerifier.create(attempt)
                .expectErrorSatisfies(e -> assertThat(e).as(protocol).isInstanceOf(TlsException.class)
                        .hasMessageContaining("Received fatal alert")    // the server's, telling why
                        .satisfies(t -> assertThat(((TlsException) t).kind()).isEqualTo(TlsException.Kind.HANDSHAKE)))
                .verify(WAIT);
        Loopback.await(() -> serverFailures.size() > before, WAIT, "the server's handshake failed (" + protocol + ")");
    }

    private Process sClient(DisposableServer server, String name, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + server.port(), "-CAfile", serverCa.toString(), "-servername", "localhost",
                "-verify_return_error", "-quiet", "-no_ign_eof"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(dir.resolve(name + ".err").toFile()).start();
    }

    private String stderr(String name) {
        try {
            return Files.readString(dir.resolve(name + ".err"));
        } catch (java.io.IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    private static byte[] readFrom(Process p, int n) {
        try {
            return p.getInputStream().readNBytes(n);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String peerName(SSLSession session) {
        try {
            return ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException e) {
            return "none";
        }
    }

    private static Certificate peerCertificate(SSLSession session) throws SSLPeerUnverifiedException {
        return session.getPeerCertificates()[0];
    }
}
