package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Boot's {@code server.ssl.server-name-bundles}: a client naming {@code alt.test} in its SNI gets
 * that bundle's certificate, one naming nothing gets the default bundle's, and both are served.
 */
@SpringBootTest(classes = WebFluxApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "server.shutdown=immediate")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowsockServerSniTest {
    private static final String PASSWORD = TestKeyStores.PASSWORD;
    private static final Path MAIN = TestKeyStores.selfSigned("main", "localhost", "");
    private static final Path ALT = TestKeyStores.selfSigned("alt", "alt.test", "");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void ssl(DynamicPropertyRegistry registry) {
        for (String name : List.of("main", "alt")) {
            Path store = name.equals("main") ? MAIN : ALT;
            registry.add("spring.ssl.bundle.jks." + name + ".keystore.location", () -> store.toUri().toString());
            registry.add("spring.ssl.bundle.jks." + name + ".keystore.password", () -> PASSWORD);
            registry.add("spring.ssl.bundle.jks." + name + ".keystore.type", () -> "PKCS12");
        }
        registry.add("server.ssl.bundle", () -> "main");
        registry.add("server.ssl.server-name-bundles[0].server-name", () -> "alt.test");
        registry.add("server.ssl.server-name-bundles[0].bundle", () -> "alt");
    }


    /** Trusts both certificates; the test names what it expects to be shown. */
    private static SSLContext trustingBoth() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (Path p : List.of(MAIN, ALT)) {
            KeyStore s = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p)) {
                s.load(in, PASSWORD.toCharArray());
            }
            String alias = s.aliases().nextElement();
            trust.setCertificateEntry(alias, s.getCertificate(alias));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The certificate the server shows for {@code sni} (none: no SNI), after a GET /hello is answered. */
    private String shownFor(String sni) throws Exception {
        try (SSLSocket socket = (SSLSocket) trustingBoth().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            socket.setSSLParameters(params);
            socket.startHandshake();
            socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("Hello, World!");
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    @Test
    void theCertificateFollowsTheServerNameTheClientAsksFor() throws Exception {
        assertThat(shownFor("alt.test")).isEqualTo("CN=alt.test");
        assertThat(shownFor(null)).isEqualTo("CN=localhost");
        assertThat(shownFor("other.test")).as("a name no bundle has").isEqualTo("CN=localhost");
    }
}
