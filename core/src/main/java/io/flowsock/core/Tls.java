package io.flowsock.core;

import io.flowsock.core.internal.Checks;
import java.net.InetSocketAddress;
import java.nio.file.Path;
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
 *
 * Tls pem = Tls.server(Path.of("chain.pem"), Path.of("key.pem"));   // PEM files, JDK only
 * TlsKeys api = TlsKeys.fromPem(Path.of("api-chain.pem"), Path.of("api-key.pem"));
 * Tls named = Tls.server(defaultKeys).withSni("api.example.com", api).withSni("*.example.com", wild);
 * api.reload();                                         // renewed files: new handshakes see them
 * Tls trusting = Tls.client(Path.of("ca.pem"));        // trusts exactly these CAs
 *
 * Tls mtls = Tls.server(keys).withTrustedCertificates(Path.of("clients-ca.pem"))   // client certificates
 *         .withClientAuth(Tls.ClientAuth.REQUIRE);
 * Tls withCert = Tls.client(Path.of("ca.pem")).withKeys(Path.of("client-chain.pem"), Path.of("client-key.pem"));
 * }</pre>
 * Defaults: TLS 1.3 and 1.2, the context's cipher suites, a 10 s handshake timeout; a client
 * sends SNI with the host it connects to and verifies that the server's certificate names it
 * (HTTPS rules) and presents none of its own; a server asks for no client certificate and, when
 * asked to, checks one against what the JDK trusts by default. Client authentication from PEM files:
 * {@link #withTrustedCertificates(Path)} on the server, {@link #withKeys(Path, Path)} on the client.
 *
 * <p><b>Threading.</b> Immutable and safe to share; each connection makes its own engine.
 */
public final class Tls {
    /** Plaintext: no TLS. */
    public static final Tls NONE = new Tls(null, false, List.of("TLSv1.3", "TLSv1.2"), List.of(), ClientAuth.NONE,
            true, null, Duration.ofSeconds(10), null);

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
    private final TlsMaterial material;   // the keys and trust context was made of; null when the caller's own context

    private Tls(SSLContext context, boolean client, List<String> protocols, List<String> alpn, ClientAuth clientAuth,
                boolean verifyHostname, String serverName, Duration handshakeTimeout, TlsMaterial material) {
        this.context = context;
        this.client = client;
        this.protocols = protocols;
        this.alpn = alpn;
        this.clientAuth = clientAuth;
        this.verifyHostname = verifyHostname;
        this.serverName = serverName;
        this.handshakeTimeout = handshakeTimeout;
        this.material = material;
    }

    /**
     * A server's TLS: {@code context} holds its key and certificate chain (and, for client
     * authentication, its trust). Sealed: {@link #withSni}, {@link #withTrustedCertificates} refuse it.
     */
    public static Tls server(SSLContext context) {
        return new Tls(Objects.requireNonNull(context, "context"), false, NONE.protocols, List.of(), ClientAuth.NONE,
                false, null, NONE.handshakeTimeout, null);
    }

    /**
     * A client's TLS: {@code context} holds its trust (and, for client authentication, its key).
     * Sealed: {@link #withKeys}, {@link #withTrustedCertificates} refuse it.
     */
    public static Tls client(SSLContext context) {
        return new Tls(Objects.requireNonNull(context, "context"), true, NONE.protocols, List.of(), ClientAuth.NONE,
                true, null, NONE.handshakeTimeout, null);
    }

    /**
     * A server's TLS presenting the key in {@code privateKeyPem} (unencrypted PKCS#8,
     * {@code BEGIN PRIVATE KEY}) and the chain in {@code certChainPem} (leaf first), read now; the same
     * as {@code server(TlsKeys.fromPem(certChainPem, privateKeyPem))}. To re-read the files later, keep
     * the {@link TlsKeys} and call {@link TlsKeys#reload()}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static Tls server(Path certChainPem, Path privateKeyPem) {
        return server(TlsKeys.fromPem(certChainPem, privateKeyPem));
    }

    /**
     * A server's TLS presenting {@code keys}, which may be replaced while the server runs: each new
     * handshake presents what {@code keys} holds then. Add certificates for other names with
     * {@link #withSni(String, TlsKeys)}. A client certificate ({@link #withClientAuth}) is checked against
     * what the JDK trusts by default, or against {@link #withTrustedCertificates(Path)}.
     */
    public static Tls server(TlsKeys keys) {
        Objects.requireNonNull(keys, "keys");
        TlsMaterial m = TlsMaterial.DEFAULT.withKeys(new SniKeys(keys));
        return new Tls(m.context(), false, NONE.protocols, List.of(), ClientAuth.NONE, false, null,
                NONE.handshakeTimeout, m);
    }

    /**
     * A client's TLS trusting exactly the certificates in {@code caPem} (one or more
     * {@code BEGIN CERTIFICATE} blocks), and nothing the JDK trusts by default.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static Tls client(Path caPem) {
        Objects.requireNonNull(caPem, "caPem");
        return client(TlsMaterial.DEFAULT.trusting(caPem));
    }

    /**
     * A client's TLS trusting what the JDK trusts by default ({@code SSLContext.getDefault()}); a
     * client certificate can be added with {@link #withKeys(Path, Path)}.
     */
    public static Tls client() {
        return client(TlsMaterial.DEFAULT);
    }

    private static Tls client(TlsMaterial m) {
        return new Tls(m.context(), true, NONE.protocols, List.of(), ClientAuth.NONE, true, null,
                NONE.handshakeTimeout, m);
    }

    /** The protocol versions offered, e.g. {@code "TLSv1.3"}; at least one. */
    public Tls withProtocols(String... protocols) {
        List<String> p = nonEmpty("protocols", protocols);
        return new Tls(context(), client, p, alpn, clientAuth, verifyHostname, serverName, handshakeTimeout, material);
    }

    /** The application protocols offered (client) or accepted, in order of preference (server), e.g. {@code "h2"}. */
    public Tls withAlpn(String... protocols) {
        List<String> p = names("alpn", protocols);
        return new Tls(context(), client, protocols(), p, clientAuth, verifyHostname, serverName, handshakeTimeout,
                material);
    }

    /** Whether a server asks for a client certificate; servers only. */
    public Tls withClientAuth(ClientAuth auth) {
        Objects.requireNonNull(auth, "auth");
        if (client) {
            throw new IllegalArgumentException("clientAuth is a server setting; this spec is a client's");
        }
        return new Tls(context(), false, protocols, alpn, auth, verifyHostname, serverName, handshakeTimeout, material);
    }

    /**
     * Whether a client checks that the server's certificate names the host it connects to (on by
     * default). Off only for tests against certificates that cannot name their host; clients only.
     */
    public Tls withHostnameVerification(boolean verify) {
        requireClient("hostnameVerification");
        return new Tls(context(), true, protocols, alpn, clientAuth, verify, serverName, handshakeTimeout, material);
    }

    /**
     * The name a client sends as SNI and verifies the certificate against, when it connects by
     * address or through another name; clients only.
     */
    public Tls withServerName(String name) {
        requireClient("serverName");
        Objects.requireNonNull(name, "name");
        new SNIHostName(name);   // throws IllegalArgumentException naming what is wrong with it
        return new Tls(context(), true, protocols, alpn, clientAuth, verifyHostname, name, handshakeTimeout, material);
    }

    /**
     * Presents {@code keys} to clients that ask for {@code name} in SNI; servers made from
     * {@link TlsKeys} or PEM files only. {@code name} is a host name ({@code api.example.com}) or a
     * wildcard for one label ({@code *.example.com} serves {@code a.example.com}, not
     * {@code a.b.example.com} nor {@code example.com}); an exact name beats a wildcard, names compare
     * case-insensitively, and a client that sends no SNI or a name not mapped gets the default keys.
     * Mapping a name again replaces its keys. Only the key and chain differ by name: protocols, ALPN
     * and client authentication are this spec's for every name.
     */
    public Tls withSni(String name, TlsKeys keys) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keys, "keys");
        context();
        if (client) {
            throw new IllegalArgumentException("sni is a server setting; this spec is a client's");
        }
        if (material == null) {
            throw new IllegalArgumentException("sni needs a server made from TlsKeys or PEM files: the key of"
                    + " Tls.server(SSLContext) is sealed in its context and cannot be chosen per name");
        }
        return with(material.withKeys(material.sni().with(name, keys)));
    }

    /**
     * Trusts exactly the certificates in {@code caPem} (one or more {@code BEGIN CERTIFICATE} blocks,
     * read now), and nothing the JDK trusts by default: on a server, the CAs a client certificate must
     * chain to under {@link #withClientAuth} (which this does not turn on); on a client, the CAs of
     * the servers it trusts, as {@link #client(Path)}. The file's CAs are named to clients in the
     * certificate request. For specs made from PEM files, {@link TlsKeys} or {@link #client()} only:
     * the trust of {@code Tls.server(SSLContext)} and {@code Tls.client(SSLContext)} is sealed in the
     * context.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it (missing, empty, not
     *         PEM, no certificate, a damaged certificate), or naming a spec whose context is sealed
     */
    public Tls withTrustedCertificates(Path caPem) {
        Objects.requireNonNull(caPem, "caPem");
        requireMaterial("trustedCertificates", "trust");
        return with(material.trusting(caPem));
    }

    /**
     * Presents the key in {@code privateKeyPem} (unencrypted PKCS#8) and the chain in
     * {@code certChainPem} (leaf first) when a server asks for a client certificate, read now; the same
     * as {@code withKeys(TlsKeys.fromPem(certChainPem, privateKeyPem))}. Clients only.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it, as
     *         {@link TlsKeys#fromPem(Path, Path)} does
     */
    public Tls withKeys(Path certChainPem, Path privateKeyPem) {
        Objects.requireNonNull(certChainPem, "certChainPem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        requireClientKeys();
        return withKeys(TlsKeys.fromPem(certChainPem, privateKeyPem));
    }

    /**
     * Presents {@code keys} when a server asks for a client certificate: each new handshake presents
     * what {@code keys} holds then, so {@link TlsKeys#reload()} renews it without a new spec. The
     * certificate is presented whichever CAs the server names in its request, as
     * {@code openssl s_client -cert} does; a server that does not trust it fails the handshake. Clients
     * made from {@link #client(Path)} or {@link #client()} only (a server's keys are given to
     * {@link #server(TlsKeys)}).
     */
    public Tls withKeys(TlsKeys keys) {
        Objects.requireNonNull(keys, "keys");
        requireClientKeys();
        return with(material.withKeys(new ClientKeys(keys)));
    }

    /** How long a handshake may take before the connection is closed with {@link TlsException}; zero disables. */
    public Tls withHandshakeTimeout(Duration timeout) {
        Checks.notNegative("handshakeTimeout", timeout);
        return new Tls(context(), client, protocols, alpn, clientAuth, verifyHostname, serverName, timeout, material);
    }

    /** Whether this spec turns TLS on. */
    public boolean enabled() {
        return context != null;
    }

    /** Whether this is a client's spec. */
    public boolean isClient() {
        return client;
    }

    /** The protocol versions offered, most preferred first. */
    public List<String> protocols() {
        return protocols;
    }

    /** The application protocols offered or accepted; empty when ALPN is off. */
    public List<String> alpn() {
        return alpn;
    }

    /** Whether a server asks for a client certificate ({@link ClientAuth#NONE} on a client's spec). */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** How long a handshake may take; zero when unbounded. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** A new engine for one connection with {@code peer}; the client side names the host it connects to. */
    SSLEngine newEngine(InetSocketAddress peer) {
        String host = serverName != null ? serverName : peer.getHostString();
        if (material != null && material.keys() instanceof ClientKeys keys) {
            keys.forgetSessionsOfReplacedKeys(context.getClientSessionContext());
        }
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

    /** This spec over a new context made of {@code next}. */
    private Tls with(TlsMaterial next) {
        return new Tls(next.context(), client, protocols, alpn, clientAuth, verifyHostname, serverName,
                handshakeTimeout, next);
    }

    private void requireMaterial(String setting, String what) {
        context();
        if (material == null) {
            throw new IllegalArgumentException(setting + " needs a spec made from PEM files, TlsKeys or Tls.client():"
                    + " the " + what + " of Tls." + (client ? "client" : "server") + "(SSLContext) is sealed in its"
                    + " context; build that context with the " + what + " instead");
        }
    }

    private void requireClientKeys() {
        context();
        if (!client) {
            throw new IllegalArgumentException("keys is a client setting (its certificate); a server's keys are"
                    + " given to Tls.server(TlsKeys) and withSni");
        }
        requireMaterial("keys", "key");
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
                + (alpn.isEmpty() ? "" : " alpn " + alpn) + (client ? "" : " clientAuth " + clientAuth)
                + (material == null ? "" : material.describe());
    }
}
