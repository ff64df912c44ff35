package io.flowsock.core;

import io.flowsock.core.internal.Checks;
import java.net.InetSocketAddress;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * How a connection speaks TLS, built from the JDK's own {@link SSLContext}: immutable, every
 * {@code with…} call returns a new spec. {@link #NONE} is plaintext.
 * <pre>{@code
 * Tls server = Tls.server(sslContext).withAlpn("h2", "http/1.1");
 * Tls client = Tls.client(SSLContext.getDefault());    // hostname verification on
 * }</pre>
 * Defaults: TLS 1.3 and 1.2, the context's cipher suites, a 10 s handshake timeout; a client
 * sends SNI with the host it connects to and verifies that the server's certificate names it
 * (HTTPS rules); a server asks for no client certificate.
 *
 * <p><b>Threading.</b> Immutable and safe to share; each connection makes its own engine.
 */
public final class Tls {
    /** Plaintext: no TLS. */
    public static final Tls NONE = new Tls(null, false, List.of("TLSv1.3", "TLSv1.2"), List.of(), ClientAuth.NONE,
            true, null, Duration.ofSeconds(10));

    /** Whether a server asks for a client certificate. */
    public enum ClientAuth {
        /** Asks for none. */
        NONE,
        /** Asks for one; a client without one is still served. */
        OPTIONAL,
        /** Requires one: a client without a trusted certificate fails the handshake. */
        REQUIRE
    }

    private final SSLContext context;
    private final boolean client;
    private final List<String> protocols;
    private final List<String> alpn;
    private final ClientAuth clientAuth;
    private final boolean verifyHostname;
    private final String serverName;
    private final Duration handshakeTimeout;

    private Tls(SSLContext context, boolean client, List<String> protocols, List<String> alpn, ClientAuth clientAuth,
                boolean verifyHostname, String serverName, Duration handshakeTimeout) {
        this.context = context;
        this.client = client;
        this.protocols = protocols;
        this.alpn = alpn;
        this.clientAuth = clientAuth;
        this.verifyHostname = verifyHostname;
        this.serverName = serverName;
        this.handshakeTimeout = handshakeTimeout;
    }

    /** A server's TLS: {@code context} holds its key and certificate chain (and, for client authentication, its trust). */
    public static Tls server(SSLContext context) {
        return new Tls(Objects.requireNonNull(context, "context"), false, NONE.protocols, List.of(), ClientAuth.NONE,
                false, null, NONE.handshakeTimeout);
    }

    /** A client's TLS: {@code context} holds its trust (and, for client authentication, its key). */
    public static Tls client(SSLContext context) {
        return new Tls(Objects.requireNonNull(context, "context"), true, NONE.protocols, List.of(), ClientAuth.NONE,
                true, null, NONE.handshakeTimeout);
    }

    /** A client's TLS trusting what the JDK trusts by default ({@code SSLContext.getDefault()}). */
    public static Tls client() {
        try {
            return client(SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default SSLContext", e);
        }
    }

    /** The protocol versions offered, e.g. {@code "TLSv1.3"}; at least one. */
    public Tls withProtocols(String... protocols) {
        List<String> p = nonEmpty("protocols", protocols);
        return new Tls(context(), client, p, alpn, clientAuth, verifyHostname, serverName, handshakeTimeout);
    }

    /** The application protocols offered (client) or accepted, in order of preference (server), e.g. {@code "h2"}. */
    public Tls withAlpn(String... protocols) {
        List<String> p = names("alpn", protocols);
        return new Tls(context(), client, protocols(), p, clientAuth, verifyHostname, serverName, handshakeTimeout);
    }

    /** Whether a server asks for a client certificate; servers only. */
    public Tls withClientAuth(ClientAuth auth) {
        Objects.requireNonNull(auth, "auth");
        if (client) {
            throw new IllegalArgumentException("clientAuth is a server setting; this spec is a client's");
        }
        return new Tls(context(), false, protocols, alpn, auth, verifyHostname, serverName, handshakeTimeout);
    }

    /**
     * Whether a client checks that the server's certificate names the host it connects to (on by
     * default). Off only for tests against certificates that cannot name their host; clients only.
     */
    public Tls withHostnameVerification(boolean verify) {
        requireClient("hostnameVerification");
        return new Tls(context(), true, protocols, alpn, clientAuth, verify, serverName, handshakeTimeout);
    }

    /**
     * The name a client sends as SNI and verifies the certificate against, when it connects by
     * address or through another name; clients only.
     */
    public Tls withServerName(String name) {
        requireClient("serverName");
        Objects.requireNonNull(name, "name");
        new SNIHostName(name);   // throws IllegalArgumentException naming what is wrong with it
        return new Tls(context(), true, protocols, alpn, clientAuth, verifyHostname, name, handshakeTimeout);
    }

    /** How long a handshake may take before the connection is closed with {@link TlsException}; zero disables. */
    public Tls withHandshakeTimeout(Duration timeout) {
        Checks.notNegative("handshakeTimeout", timeout);
        return new Tls(context(), client, protocols, alpn, clientAuth, verifyHostname, serverName, timeout);
    }

    /** Whether this spec turns TLS on. */
    public boolean enabled() {
        return context != null;
    }

    /** Whether this is a client's spec. */
    public boolean isClient() {
        return client;
    }

    public List<String> protocols() {
        return protocols;
    }

    public List<String> alpn() {
        return alpn;
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** A new engine for one connection with {@code peer}; the client side names the host it connects to. */
    SSLEngine newEngine(InetSocketAddress peer) {
        String host = serverName != null ? serverName : peer.getHostString();
        SSLEngine engine = client ? context.createSSLEngine(host, peer.getPort()) : context.createSSLEngine();
        engine.setUseClientMode(client);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(protocols.toArray(String[]::new));
        if (!alpn.isEmpty()) {
            params.setApplicationProtocols(alpn.toArray(String[]::new));
        }
        if (client) {
            if (verifyHostname) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (isHostName(host)) {
                params.setServerNames(List.of(new SNIHostName(host)));
            }
        } else {
            params.setNeedClientAuth(clientAuth == ClientAuth.REQUIRE);
            if (clientAuth == ClientAuth.OPTIONAL) {
                params.setWantClientAuth(true);
            }
        }
        engine.setSSLParameters(params);
        return engine;
    }

    /** SNI carries host names only, never literal addresses. */
    private static boolean isHostName(String host) {
        return !host.isEmpty() && host.indexOf(':') < 0 && !host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private SSLContext context() {
        if (context == null) {
            throw new IllegalStateException("Tls.NONE has no settings; start from Tls.server(...) or Tls.client(...)");
        }
        return context;
    }

    private void requireClient(String setting) {
        context();
        if (!client) {
            throw new IllegalArgumentException(setting + " is a client setting; this spec is a server's");
        }
    }

    private static List<String> nonEmpty(String name, String[] values) {
        List<String> l = names(name, values);
        if (l.isEmpty()) {
            throw new IllegalArgumentException(name + " must name at least one, got none");
        }
        return l;
    }

    /** {@code values} as a list, each one named: none null or blank. */
    private static List<String> names(String name, String[] values) {
        Objects.requireNonNull(values, name);
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null || values[i].isBlank()) {
                throw new IllegalArgumentException(name + "[" + i + "] must not be null or blank, was "
                        + (values[i] == null ? "null" : "\"" + values[i] + "\""));
            }
        }
        return List.of(values);
    }

    @Override
    public String toString() {
        return !enabled() ? "Tls.NONE" : (client ? "Tls.client" : "Tls.server") + protocols
                + (alpn.isEmpty() ? "" : " alpn " + alpn) + (client ? "" : " clientAuth " + clientAuth);
    }
}
