package io.flowsock.core;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The client key manager behind {@link Tls#withKeys(TlsKeys)}: presents what the keys hold at each
 * handshake, so a {@link TlsKeys#reload()} reaches the next connection.
 *
 * <p>The certificate is presented whichever CAs the server names in its request, as
 * {@code openssl s_client -cert} and curl do, not only when its issuer is among them as the JDK's
 * own key manager would: the caller named one certificate, and a server that does not trust it
 * then fails the handshake saying so, where sending none would fail it for a missing certificate.
 *
 * <p><b>Threading.</b> The handshake calls it on whichever thread runs the engine's work. It never
 * blocks: the keys are read from a volatile field.
 */
final class ClientKeys extends X509ExtendedKeyManager {
    private final TlsKeys keys;
    // Written and read by whoever makes a client engine, on any thread: the keys the cached sessions
    // were made with. A race makes two callers forget the sessions, which costs a full handshake.
    private volatile TlsKeys.Material sessionsMadeWith;

    ClientKeys(TlsKeys keys) {
        this.keys = keys;
        this.sessionsMadeWith = keys.current();
    }

    /**
     * Invalidates the cached sessions of {@code sessions} once the keys were replaced, before the
     * next engine is made: a resumed session carries the certificate of its first handshake, so
     * without this a server would go on seeing the replaced one (perhaps expired, perhaps revoked)
     * for the lifetime of its tickets. Computation only: the JDK's caches are in memory.
     */
    void forgetSessionsOfReplacedKeys(SSLSessionContext sessions) {
        TlsKeys.Material now = keys.current();
        if (now == sessionsMadeWith) {
            return;
        }
        sessionsMadeWith = now;
        for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
            SSLSession s = sessions.getSession(ids.nextElement());
            if (s != null) {
                s.invalidate();
            }
        }
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return choose(keyTypes);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        TlsKeys.Material m = keys.current();
        return m.fits(keyType) ? new String[] {m.alias()} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsKeys.Material m = alias == null ? null : keys.byAlias(alias);
        return m == null ? null : m.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsKeys.Material m = alias == null ? null : keys.byAlias(alias);
        return m == null ? null : m.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;      // a client's keys: never a server's certificate
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }

    /** The current alias if its key serves one of the key types the server accepts; else none. */
    private String choose(String[] keyTypes) {
        TlsKeys.Material m = keys.current();
        if (keyTypes == null) {
            return m.alias();
        }
        for (String t : keyTypes) {
            if (m.fits(t)) {
                return m.alias();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return keys.toString();
    }
}
