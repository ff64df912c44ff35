package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Boot's {@code server.ssl.*} properties, end to end: the key store they name serves https on
 * flowsock, a client that trusts it gets the application's answers, and one that does not fails
 * its handshake.
 */
@SpringBootTest(classes = WebFluxApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "server.shutdown=immediate")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowsockServerSslTest {
    private static final String PASSWORD = TestKeyStores.PASSWORD;
    private static final Path STORE = TestKeyStores.selfSigned("server", "localhost", ",ip:127.0.0.1");

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void ssl(DynamicPropertyRegistry registry) {
        registry.add("server.ssl.enabled", () -> "true");
        registry.add("server.ssl.key-store", () -> STORE.toUri().toString());
        registry.add("server.ssl.key-store-type", () -> "PKCS12");
        registry.add("server.ssl.key-store-password", () -> PASSWORD);
        registry.add("server.ssl.enabled-protocols", () -> "TLSv1.3");
    }


    private static SSLContext trusting() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(STORE)) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void aClientTrustingTheKeyStoreGetsTheApplicationOverTls13() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusting()).connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> hello = client.send(get("/hello"), HttpResponse.BodyHandlers.ofString());
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("Hello, World!");
        SSLSession session = hello.sslSession().orElseThrow();
        assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
        assertThat(session.getPeerPrincipal().getName()).isEqualTo("CN=localhost");

        String big = "x".repeat(300_000);     // a body of many TLS records, both ways
        HttpResponse<String> echo = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofString(big)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(echo.statusCode()).isEqualTo(200);
        assertThat(echo.body()).isEqualTo(big);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsItsHandshakeAndTheServerServesOn() throws Exception {
        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> untrusting.send(get("/hello"), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);

        HttpClient trusting = HttpClient.newBuilder().sslContext(trusting()).version(HttpClient.Version.HTTP_1_1)
                .build();
        assertThat(trusting.send(get("/hello"), HttpResponse.BodyHandlers.ofString()).body())
                .isEqualTo("Hello, World!");
    }
}
