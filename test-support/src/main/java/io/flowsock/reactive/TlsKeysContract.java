package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Tls;
import io.flowsock.core.TlsKeys;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A server's keys over real loopback sockets for one backend: PEM files on both sides, the
 * certificate chosen by the client's SNI (flowsock's client and OpenSSL's), and keys reloaded while
 * connections made with the old ones go on.
 */
public abstract class TlsKeysContract extends LoopbackFixture {
    private static final TestCertificates CA = TestCertificates.newCa("flowsock keys CA");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final TestCertificates.Identity DEFAULT = CA.leaf("default");
    private static final TestCertificates.Identity A = CA.leaf("a", Duration.ofDays(1), "a.test");
    private static final TestCertificates.Identity WILD = CA.leaf("wild", Duration.ofDays(1), "*.wild.test");
    private static final TestCertificates.Identity EXACT = CA.leaf("exact", Duration.ofDays(1), "exact.wild.test");

    @Test
    public void pemFilesMakeTheServersKeysAndTheClientsTrust(@TempDir Path dir) throws Exception {
        TestCertificates.Identity id = CA.leaf("from-pem");
        Path chain = TestCertificates.writeChainPem(id, dir.resolve("chain.pem"));
        Path key = TestCertificates.writeKeyPem(id, dir.resolve("key.pem"));
        Path ca = TestCertificates.writePem(CA.ca().certificate(), dir.resolve("ca.pem"));
        DisposableServer server = bind(server().secure(Tls.server(chain, key)).handle(conn -> conn.send(conn.inbound())));

        Connection c = client(server).secure(Tls.client(ca).withServerName("localhost")).connectNow(WAIT);
        assertThat(peerCertificate(c)).isEqualTo(id.certificate());
        echoOnce(c);

        // trusting exactly the file's CAs: another CA's file does not trust this server
        Path otherCa = TestCertificates.writePem(TestCertificates.newCa("other").ca().certificate(), dir.resolve("o.pem"));
        StepVerifier.create(client(server).secure(Tls.client(otherCa).withServerName("localhost")).connect())
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("PKIX"))
                .verify(WAIT);
    }

    @Test
    public void sniPicksTheCertificateByNameExactBeforeWildcardAndTheDefaultOtherwise() throws Exception {
        Queue<List<SNIServerName>> asked = new ConcurrentLinkedQueue<>();
        DisposableServer server = bind(server().secure(sniServer()).handle(conn -> {
            asked.add(((ExtendedSSLSession) conn.tlsSession().orElseThrow()).getRequestedServerNames());
            return conn.send(conn.inbound());
        }));
        assertThat(presented(server, "a.test", true)).isEqualTo(A.certificate());
        assertThat(presented(server, "A.Test", true)).isEqualTo(A.certificate());
        assertThat(presented(server, "x.wild.test", true)).isEqualTo(WILD.certificate());
        assertThat(presented(server, "exact.wild.test", true)).isEqualTo(EXACT.certificate());
        // names nobody mapped get the default, which names none of them: the client checks the chain only
        assertThat(presented(server, "y.x.wild.test", false)).isEqualTo(DEFAULT.certificate());
        assertThat(presented(server, "wild.test", false)).isEqualTo(DEFAULT.certificate());
        assertThat(presented(server, "unknown.test", false)).isEqualTo(DEFAULT.certificate());
        assertThat(asked).hasSize(7).allSatisfy(names -> assertThat(names).hasSize(1));

        asked.clear();
        Connection byAddress = client(server).secure(Tls.client(CA.trusting())).connectNow(WAIT);   // no SNI
        assertThat(peerCertificate(byAddress)).isEqualTo(DEFAULT.certificate());
        echoOnce(byAddress);
        assertThat(asked).singleElement().satisfies(names -> assertThat(names).isEmpty());
    }

    @Test
    public void opensslsClientGetsTheCertificateForTheNameItSends(@TempDir Path dir) throws Exception {
        TlsContract.assumeOpenssl();
        DisposableServer server = bind(server().secure(sniServer()).handle(conn -> conn.send(conn.inbound())));
        assertThat(opensslSees(server, dir, "-servername", "a.test")).isEqualTo(A.certificate());
        assertThat(opensslSees(server, dir, "-servername", "x.wild.test")).isEqualTo(WILD.certificate());
        assertThat(opensslSees(server, dir, "-servername", "exact.wild.test")).isEqualTo(EXACT.certificate());
        assertThat(opensslSees(server, dir, "-servername", "nobody.test")).isEqualTo(DEFAULT.certificate());
        assertThat(opensslSees(server, dir, "-noservername")).isEqualTo(DEFAULT.certificate());
    }

    @Test
    public void reloadedKeysServeNewHandshakesWhileEstablishedConnectionsGoOn(@TempDir Path dir) throws Exception {
        TestCertificates.Identity first = CA.leaf("first");
        TestCertificates.Identity second = CA.leaf("second");
        Path chain = TestCertificates.writeChainPem(first, dir.resolve("chain.pem"));
        Path key = TestCertificates.writeKeyPem(first, dir.resolve("key.pem"));
        TlsKeys keys = TlsKeys.fromPem(chain, key);
        DisposableServer server = bind(server().secure(Tls.server(keys)).handle(conn -> conn.send(conn.inbound())));

        Connection old = tlsClient(server).connectNow(WAIT);
        assertThat(peerCertificate(old).getSerialNumber()).isEqualTo(first.certificate().getSerialNumber());
        Mono<byte[]> oldBack = LoopbackFixture.collect(old.inbound());
        old.send(Mono.just(Loopback.utf8("before "))).block(WAIT);

        TestCertificates.writeChainPem(second, chain);
        TestCertificates.writeKeyPem(second, key);
        keys.reload();

        Connection fresh = tlsClient(server).connectNow(WAIT);
        assertThat(peerCertificate(fresh).getSerialNumber()).isEqualTo(second.certificate().getSerialNumber());
        echoOnce(fresh);
        // the connection made before the reload still speaks with the old session
        old.send(Mono.just(Loopback.utf8("and after"))).then(old.shutdownOutput()).subscribe();
        StepVerifier.create(oldBack).assertNext(b -> assertThat(new String(b, StandardCharsets.UTF_8))
                .isEqualTo("before and after")).expectComplete().verify(WAIT);
        assertThat(peerCertificate(old).getSerialNumber()).isEqualTo(first.certificate().getSerialNumber());
        old.dispose();

        // in memory, and for a name: the SNI entry's keys are reloadable too
        TlsKeys named = TlsKeys.of(A.keys().getPrivate(), A.chain());
        DisposableServer sni = bind(server().secure(Tls.server(keys).withSni("a.test", named))
                .handle(conn -> conn.send(conn.inbound())));
        assertThat(presented(sni, "a.test", true)).isEqualTo(A.certificate());
        TestCertificates.Identity renewed = CA.leaf("a-renewed", Duration.ofDays(1), "a.test");
        named.replace(renewed.keys().getPrivate(), renewed.chain());
        assertThat(presented(sni, "a.test", true)).isEqualTo(renewed.certificate());
        assertThat(presented(sni, "localhost", true)).isEqualTo(second.certificate());
    }

    private static Tls sniServer() {
        return Tls.server(keys(DEFAULT)).withSni("a.test", keys(A)).withSni("*.WILD.test", keys(WILD))
                .withSni("exact.wild.test", keys(EXACT));
    }

    private static TlsKeys keys(TestCertificates.Identity id) {
        return TlsKeys.of(id.keys().getPrivate(), id.chain());
    }

    private TcpClient tlsClient(DisposableServer s) {
        return client(s).secure(Tls.client(CA.trusting()).withServerName("localhost"));
    }

    /** The certificate a fresh client sending SNI {@code name} is shown (a fresh context: no resumption). */
    private X509Certificate presented(DisposableServer server, String name, boolean verifyName) {
        Connection c = client(server).secure(Tls.client(CA.trusting()).withServerName(name)
                .withHostnameVerification(verifyName)).connectNow(WAIT);
        X509Certificate cert = peerCertificate(c);
        echoOnce(c);
        return cert;
    }

    private static X509Certificate peerCertificate(Connection c) {
        try {
            return (X509Certificate) c.tlsSession().orElseThrow().getPeerCertificates()[0];
        } catch (SSLPeerUnverifiedException e) {
            throw new AssertionError(e);
        }
    }

    /** The server certificate {@code openssl s_client} prints, connecting with {@code sniArgs}. */
    private static X509Certificate opensslSees(DisposableServer server, Path dir, String... sniArgs) throws Exception {
        Path ca = TestCertificates.writePem(CA.ca().certificate(), dir.resolve("ca.pem"));
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(),
                "-CAfile", ca.toString(), "-verify_return_error"));
        cmd.addAll(List.of(sniArgs));
        Path err = dir.resolve("s_client.err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        try {
            p.getOutputStream().close();                           // stdin at its end: s_client says goodbye
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String text = new String(out, StandardCharsets.US_ASCII);
            int begin = text.indexOf("-----BEGIN CERTIFICATE-----");
            assertThat(begin).as("s_client printed the server certificate; stderr: %s", Files.readString(err))
                    .isNotNegative();
            int end = text.indexOf("-----END CERTIFICATE-----", begin) + "-----END CERTIFICATE-----".length();
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(text.substring(begin, end).getBytes(StandardCharsets.US_ASCII)));
        } finally {
            p.destroyForcibly();
        }
    }
}
