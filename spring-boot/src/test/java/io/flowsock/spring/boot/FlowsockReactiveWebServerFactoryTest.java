package io.flowsock.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.Tls;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.web.server.Http2;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServer;
import org.springframework.http.server.reactive.HttpHandler;

/** The factory's mapping of Boot's settings, without a socket. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FlowsockReactiveWebServerFactoryTest {
    private static final HttpHandler NOTHING = (req, res) -> res.setComplete();

    @Test
    void anSslBundleBecomesTlsWithItsProtocolsAndClientAuthentication() throws Exception {
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        SslBundle bundle = SslBundle.of(SslStoreBundle.of(empty, "", null), null,
                SslOptions.of(null, new String[] {"TLSv1.3"}));

        Tls need = FlowsockReactiveWebServerFactory.tls(bundle, Ssl.ClientAuth.NEED);
        assertThat(need.enabled()).isTrue();
        assertThat(need.isClient()).isFalse();
        assertThat(need.protocols()).containsExactly("TLSv1.3");
        assertThat(need.clientAuth()).isEqualTo(Tls.ClientAuth.REQUIRE);
        assertThat(FlowsockReactiveWebServerFactory.tls(bundle, Ssl.ClientAuth.WANT).clientAuth())
                .isEqualTo(Tls.ClientAuth.OPTIONAL);
        assertThat(FlowsockReactiveWebServerFactory.tls(SslBundle.of(SslStoreBundle.of(empty, "", null)), null).clientAuth())
                .isEqualTo(Tls.ClientAuth.NONE);
    }

    @Test
    void http2AndCompressionByUserAgentAreRefusedNamingTheProperty() {
        FlowsockReactiveWebServerFactory h2 = new FlowsockReactiveWebServerFactory(0);
        Http2 http2 = new Http2();
        http2.setEnabled(true);
        h2.setHttp2(http2);
        assertThatThrownBy(() -> h2.getWebServer(NOTHING)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("server.http2.enabled");

        FlowsockReactiveWebServerFactory gzip = new FlowsockReactiveWebServerFactory(0);
        org.springframework.boot.web.server.Compression compression = new org.springframework.boot.web.server.Compression();
        compression.setEnabled(true);
        compression.setExcludedUserAgents(new String[] {"curl"});
        gzip.setCompression(compression);
        assertThatThrownBy(() -> gzip.getWebServer(NOTHING)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("server.compression.excluded-user-agents");
    }

    @Test
    void bootsCompressionSettingsBecomeFlowsocksGzipSettings() {
        org.springframework.boot.web.server.Compression compression = new org.springframework.boot.web.server.Compression();
        compression.setEnabled(true);
        compression.setMinResponseSize(org.springframework.util.unit.DataSize.ofBytes(512));
        compression.setMimeTypes(new String[] {"application/json", "TEXT/CSV"});
        io.flowsock.http.HttpCompression c = FlowsockReactiveWebServerFactory.compression(compression);
        assertThat(c.minResponseSize()).isEqualTo(512);
        assertThat(c.mimeTypes()).containsExactlyInAnyOrder("application/json", "text/csv");
    }

    @Test
    void aTakenPortIsBootsPortInUseException() {
        WebServer first = new FlowsockReactiveWebServerFactory(0).getWebServer(NOTHING);
        first.start();
        try {
            int port = first.getPort();
            WebServer second = new FlowsockReactiveWebServerFactory(port).getWebServer(NOTHING);
            assertThatThrownBy(second::start).isInstanceOf(PortInUseException.class)
                    .satisfies(e -> assertThat(((PortInUseException) e).getPort()).isEqualTo(port));
            assertThat(second.getPort()).isEqualTo(-1);
        } finally {
            first.stop();
        }
        assertThat(first.getPort()).isEqualTo(-1);
    }

    @Test
    void anUnstartedServerHasNoPortAndStoppingItIsHarmless() {
        var server = new FlowsockReactiveWebServerFactory(0).getWebServer(NOTHING);
        assertThat(server.getPort()).isEqualTo(-1);
        server.stop();
        assertThat(server.getPort()).isEqualTo(-1);
    }
}
