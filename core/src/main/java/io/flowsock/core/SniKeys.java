package io.flowsock.core;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The server key manager behind {@link Tls#server(TlsKeys)}: picks the keys for a handshake by the
 * name the client asked for in SNI. An exact name beats a wildcard {@code *.example.com}, which
 * stands for one label as in RFC 6125; names compare case-insensitively in their ASCII form; no SNI
 * or a name not mapped gets the default keys.
 *
 * <p>Why a key manager, not a ClientHello parser ahead of the engine: the JDK's handshake asks the
 * key manager once it has read SNI, so one engine from one context serves every name and the engine
 * driver stays as it is. The price: everything but the key and chain (protocols, ALPN, client
 * authentication, trust) is one setting for all names.
 *
 * <p><b>Threading.</b> Immutable; the handshake calls it on whichever thread runs the engine's
 * work. It never blocks: the keys are read from volatile fields.
 */
final class SniKeys extends X509ExtendedKeyManager {
    private final TlsKeys fallback;
    private final Map<String, TlsKeys> exact;       // lower-case ASCII name -> keys
    private final Map<String, TlsKeys> wildcard;    // lower-case ASCII suffix after "*." -> keys

    SniKeys(TlsKeys fallback) {
        this(fallback, Map.of(), Map.of());
    }

    private SniKeys(TlsKeys fallback, Map<String, TlsKeys> exact, Map<String, TlsKeys> wildcard) {
        this.fallback = fallback;
        this.exact = exact;
        this.wildcard = wildcard;
    }

    /** A copy that serves {@code keys} for {@code name}: an exact host name, or {@code *.} and a domain. */
    SniKeys with(String name, TlsKeys keys) {
        boolean wild = name.startsWith("*.");
        String host = wild ? name.substring(2) : name;
        if (host.contains("*")) {
            throw new IllegalArgumentException("sni name must be a host name or *. and a domain (one wildcard label,"
                    + " leftmost), was \"" + name + "\"");
        }
        if (wild && host.indexOf('.') < 0) {
            throw new IllegalArgumentException("sni wildcard must cover a domain of at least two labels, was \""
                    + name + "\"");
        }
        String key = ascii(host, name);
        Map<String, TlsKeys> e = new LinkedHashMap<>(exact);
        Map<String, TlsKeys> w = new LinkedHashMap<>(wildcard);
        (wild ? w : e).put(key, keys);
        return new SniKeys(fallback, Map.copyOf(e), Map.copyOf(w));
    }

    /** The names mapped, wildcards as {@code *.domain}, for {@code toString}. */
    List<String> names() {
        return java.util.stream.Stream.concat(exact.keySet().stream(), wildcard.keySet().stream().map(d -> "*." + d))
                .sorted().toList();
    }

    /** The keys for a client that asked for {@code host} (lower-case ASCII), or the default for null. */
    TlsKeys keysFor(String host) {
        if (host == null) {
            return fallback;
        }
        TlsKeys k = exact.get(host);
        if (k != null) {
            return k;
        }
        int dot = host.indexOf('.');
        if (dot > 0) {
            k = wildcard.get(host.substring(dot + 1));
        }
        return k != null ? k : fallback;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        SSLSession session = engine == null ? null : engine.getHandshakeSession();
        TlsKeys.Material m = keysFor(requestedHost(session)).current();
        return m.fits(keyType) ? m.alias() : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        TlsKeys.Material m = fallback.current();
        return m.fits(keyType) ? m.alias() : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsKeys.Material m = byAlias(alias);
        return m == null ? null : m.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsKeys.Material m = byAlias(alias);
        return m == null ? null : m.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return all().stream().map(TlsKeys::current).filter(m -> m.fits(keyType)).map(TlsKeys.Material::alias)
                .distinct().toArray(String[]::new);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;      // a server's keys: never offered as a client certificate
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    private TlsKeys.Material byAlias(String alias) {
        if (alias == null) {
            return null;
        }
        for (TlsKeys k : all()) {
            TlsKeys.Material m = k.byAlias(alias);
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    private List<TlsKeys> all() {
        List<TlsKeys> all = new java.util.ArrayList<>(exact.values());
        all.addAll(wildcard.values());
        all.add(fallback);
        return all;
    }

    /** The host name the client sent in SNI, lower-case ASCII; null if none. */
    private static String requestedHost(SSLSession session) {
        if (!(session instanceof ExtendedSSLSession extended)) {
            return null;
        }
        for (SNIServerName n : extended.getRequestedServerNames()) {
            if (n.getType() == StandardConstants.SNI_HOST_NAME && n instanceof SNIHostName h) {
                return h.getAsciiName().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    private static String ascii(String host, String name) {
        try {
            return new SNIHostName(host).getAsciiName().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sni name is not a host name: \"" + name + "\" (" + e.getMessage() + ")", e);
        }
    }
}
