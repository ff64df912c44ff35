package io.flowsock.spring.boot;

import io.flowsock.core.Tls;
import io.flowsock.core.TlsKeys;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import io.flowsock.http.HttpCompression;
import io.flowsock.http.HttpServer;
import io.flowsock.http.HttpServerRequest;
import io.flowsock.http.HttpServerResponse;
import io.flowsock.reactive.TcpServer;
import io.flowsock.spring.FlowsockHttpHandlerAdapter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.web.server.Shutdown;
import org.springframework.boot.web.server.Compression;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.reactive.AbstractReactiveWebServerFactory;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * Spring Boot's {@code ReactiveWebServerFactory} for flowsock's {@link HttpServer}: what
 * {@code spring-boot-starter-reactor-netty}'s factory is for Reactor Netty.
 *
 * <p>Boot's {@code server.*} settings it applies: port (0 for a free one), address, ssl (through a
 * bundle's {@code SSLContext}, protocols and client authentication), server-header, shutdown and
 * max-http-request-header-size, compression (gzip by minimum size and media types). It refuses,
 * naming the property, what flowsock's server does not do: HTTP/2 and compression excluded by user
 * agent; error pages are WebFlux's business, not the server's.
 *
 * <p><b>Threading.</b> Configured on one thread while the application context starts; not for
 * concurrent mutation, like every Boot factory.
 *
 * <p><b>Lifecycle.</b> Each {@link #getWebServer} builds a new, unstarted server.
 */
public class FlowsockReactiveWebServerFactory extends AbstractReactiveWebServerFactory {
    private final List<FlowsockServerCustomizer> serverCustomizers = new ArrayList<>();
    private Integer backlog;
    private Integer sendCap;
    private Integer recvBurst;
    private Duration firstByteTimeout;
    private Integer maxHeaderSize;

    public FlowsockReactiveWebServerFactory() {
    }

    public FlowsockReactiveWebServerFactory(int port) {
        super(port);
    }

    @Override
    public WebServer getWebServer(HttpHandler httpHandler) {
        refuseUnsupported();
        HttpServer server = HttpServer.create().port(getPort());
        if (getAddress() != null) {
            server = server.host(getAddress().getHostAddress());
        }
        server = server.tcp(this::tunables);
        if (maxHeaderSize != null) {
            server = server.maxHeaderSize(maxHeaderSize);
        }
        if (Ssl.isEnabled(getSsl())) {
            server = server.secure(tls(getSslBundle(), getServerNameSslBundles(), getSsl().getClientAuth()));
        }
        if (getCompression() != null && getCompression().getEnabled()) {
            server = server.compress(compression(getCompression()));
        }
        for (FlowsockServerCustomizer customizer : serverCustomizers) {
            server = Objects.requireNonNull(customizer.apply(server), "a FlowsockServerCustomizer returned null");
        }
        server = server.handle(handler(new FlowsockHttpHandlerAdapter(httpHandler), getServerHeader()));
        return new FlowsockWebServer(server, getPort(), getShutdown() == Shutdown.GRACEFUL);
    }

    private TcpServer tunables(TcpServer tcp) {
        TcpServer t = tcp;
        if (backlog != null) {
            t = t.backlog(backlog);
        }
        if (sendCap != null) {
            t = t.sendCap(sendCap);
        }
        if (recvBurst != null) {
            t = t.recvBurst(recvBurst);
        }
        if (firstByteTimeout != null) {
            t = t.firstByteTimeout(firstByteTimeout);
        }
        return t;
    }

    private static BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler(
            FlowsockHttpHandlerAdapter adapter, String serverHeader) {
        if (serverHeader == null || serverHeader.isEmpty()) {
            return adapter;
        }
        return (req, res) -> adapter.apply(req, res.header("Server", serverHeader));
    }

    static Tls tls(SslBundle bundle, Ssl.ClientAuth clientAuth) {
        return tls(bundle, Map.of(), clientAuth);
    }

    /**
     * The default bundle, and with {@code server.ssl.server-name-bundles} a certificate per SNI
     * name (exact, or a one-label wildcard): each bundle's key entry becomes flowsock's
     * {@link TlsKeys}, since a server with SNI names is built from keys, not from one SSLContext.
     */
    static Tls tls(SslBundle bundle, Map<String, SslBundle> byServerName, Ssl.ClientAuth clientAuth) {
        Tls tls;
        if (byServerName.isEmpty()) {
            tls = Tls.server(bundle.createSslContext());
        } else {
            if (clientAuth == Ssl.ClientAuth.NEED || clientAuth == Ssl.ClientAuth.WANT) {
                throw new IllegalStateException("server.ssl.client-auth with server.ssl.server-name-bundles: flowsock "
                        + "checks client certificates of SNI servers against PEM files only (Tls.withTrustedCertificates)");
            }
            tls = Tls.server(keys(bundle, "server.ssl"));
            for (Map.Entry<String, SslBundle> e : byServerName.entrySet()) {
                tls = tls.withSni(e.getKey(), keys(e.getValue(), "server.ssl.server-name-bundles " + e.getKey()));
            }
        }
        String[] protocols = bundle.getOptions().getEnabledProtocols();
        if (protocols != null && protocols.length > 0) {
            tls = tls.withProtocols(protocols);
        }
        if (clientAuth == Ssl.ClientAuth.NEED) {
            tls = tls.withClientAuth(Tls.ClientAuth.REQUIRE);
        } else if (clientAuth == Ssl.ClientAuth.WANT) {
            tls = tls.withClientAuth(Tls.ClientAuth.OPTIONAL);
        }
        return tls;
    }

    /** A bundle's key entry (its alias, or the store's only key entry) as flowsock's keys. */
    private static TlsKeys keys(SslBundle bundle, String what) {
        KeyStore store = bundle.getStores().getKeyStore();
        if (store == null) {
            throw new IllegalStateException(what + ": the bundle has no key store");
        }
        try {
            String alias = bundle.getKey().getAlias();
            if (alias == null) {
                for (String a : Collections.list(store.aliases())) {
                    if (store.isKeyEntry(a)) {
                        alias = a;
                        break;
                    }
                }
            }
            String password = bundle.getKey().getPassword() != null ? bundle.getKey().getPassword()
                    : bundle.getStores().getKeyStorePassword();
            java.security.Key key = alias == null ? null
                    : store.getKey(alias, password == null ? new char[0] : password.toCharArray());
            if (!(key instanceof PrivateKey privateKey)) {
                throw new IllegalStateException(what + ": the bundle's key store has no private key entry"
                        + (alias == null ? "" : " named " + alias));
            }
            Certificate[] chain = store.getCertificateChain(alias);
            return TlsKeys.of(privateKey, Arrays.stream(chain).map(c -> (X509Certificate) c)
                    .toArray(X509Certificate[]::new));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(what + ": the bundle's key could not be read: " + e.getMessage(), e);
        }
    }

    /** Boot's {@code server.compression.*}: the minimum size and the media types. */
    static HttpCompression compression(Compression c) {
        return new HttpCompression(Math.toIntExact(Math.min(Integer.MAX_VALUE, c.getMinResponseSize().toBytes())),
                Set.of(c.getMimeTypes()), HttpCompression.DEFAULTS.level());
    }

    private void refuseUnsupported() {
        if (getHttp2() != null && getHttp2().isEnabled()) {
            throw new IllegalStateException("server.http2.enabled=true: flowsock's web server speaks HTTP/1.1 only");
        }
        Compression c = getCompression();
        if (c != null && c.getEnabled() && c.getExcludedUserAgents() != null && c.getExcludedUserAgents().length > 0) {
            throw new IllegalStateException("server.compression.excluded-user-agents: flowsock's web server compresses "
                    + "by media type and size, not by user agent");
        }
    }

    /** Customizers applied, in order, to every server this factory builds. */
    public List<FlowsockServerCustomizer> getServerCustomizers() {
        return serverCustomizers;
    }

    public void addServerCustomizers(FlowsockServerCustomizer... customizers) {
        serverCustomizers.addAll(List.of(customizers));
    }

    /** flowsock's backlog: accepts kept posted plus the listen queue. */
    public void setBacklog(Integer backlog) {
        this.backlog = backlog;
    }

    /** flowsock's sendcap: outbound buffers in flight per connection. */
    public void setSendCap(Integer sendCap) {
        this.sendCap = sendCap;
    }

    /** flowsock's recvburst: receive buffers one read may fill. */
    public void setRecvBurst(Integer recvBurst) {
        this.recvBurst = recvBurst;
    }

    /** How long an accepted connection may stay silent before it is closed; zero disables. */
    public void setFirstByteTimeout(Duration firstByteTimeout) {
        this.firstByteTimeout = firstByteTimeout;
    }

    /** Largest request head in bytes (431 beyond it). */
    public void setMaxHeaderSize(Integer maxHeaderSize) {
        this.maxHeaderSize = maxHeaderSize;
    }
}
