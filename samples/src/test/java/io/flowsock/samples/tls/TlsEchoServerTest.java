package io.flowsock.samples.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Tls;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.TcpClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class TlsEchoServerTest {
    private static final Duration VERIFY = Duration.ofSeconds(30);

    @Test
    void aClientTrustingThePrintedCertificateGetsItsEchoOverTls(@TempDir Path dir) throws Exception {
        TlsEchoServer.Started started = TlsEchoServer.start("127.0.0.1", 0, dir);
        try {
            Connection conn = TcpClient.create().host("127.0.0.1").port(started.server().port())
                    .secure(Tls.client(trusting(started.certificatePem())).withServerName("localhost"))
                    .connectNow(VERIFY);
            assertThat(conn.tlsSession()).isPresent();
            byte[] data = new byte[1 << 20];
            new Random(3).nextBytes(data);
            Mono<byte[]> echoed = conn.inbound().collect(ByteArrayOutputStream::new,
                    (out, b) -> out.write(b.array(), b.arrayOffset() + b.position(), b.remaining()))
                    .map(ByteArrayOutputStream::toByteArray);
            conn.send(Flux.range(0, 16).map(i -> ByteBuffer.wrap(data, i << 16, 1 << 16)))
                    .then(conn.shutdownOutput()).subscribe();
            StepVerifier.create(echoed).assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(VERIFY);
        } finally {
            started.server().disposeNow(Duration.ofSeconds(5));
        }
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ts.setCertificateEntry("c" + ts.size(), c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
