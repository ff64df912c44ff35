package io.flowsock.core;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * What a {@link Tls} that flowsock assembles is made of, so that each {@code with…} call can make a
 * new {@link SSLContext} from it: the key manager ({@link SniKeys} on a server, {@link ClientKeys}
 * on a client presenting a certificate, else none) and the trust (the JDK's default, or exactly
 * the certificates of one PEM file). A {@code Tls} made from the caller's own {@code SSLContext}
 * has none: its keys and trust are sealed inside that context.
 *
 * <p>Why the context is made anew rather than the trust looked up per handshake: {@code SSLContext}
 * takes its managers once, in {@code init}, and the JDK's PKIX trust manager is what every
 * certificate path check should go through. Keys change without a new context because the key
 * managers read {@link TlsKeys} at each handshake; the trust is read once, from the file named.
 *
 * @param keys    the key manager, or null: a client that presents no certificate
 * @param trust   the trust managers over the certificates of {@code trustFile}, or null: the JDK's default
 * @param trustFile where {@code trust} was read from, for {@code toString}; null with it
 */
record TlsMaterial(X509ExtendedKeyManager keys, TrustManager[] trust, Path trustFile) {
    /** Nothing of flowsock's: the JDK's default context, as {@code Tls.client()} uses. */
    static final TlsMaterial DEFAULT = new TlsMaterial(null, null, null);

    TlsMaterial withKeys(X509ExtendedKeyManager next) {
        return new TlsMaterial(next, trust, trustFile);
    }

    /**
     * A copy trusting exactly the certificates in {@code caPem}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    TlsMaterial trusting(Path caPem) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (java.security.cert.X509Certificate ca : Pem.certificates(caPem)) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return new TlsMaterial(keys, tmf.getTrustManagers(), caPem);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK cannot make a trust store of " + caPem + ": " + e, e);
        }
    }

    /** The server's keys by SNI name, if this is a server's. */
    SniKeys sni() {
        return keys instanceof SniKeys s ? s : null;
    }

    /** A context over these managers; the JDK's default one when there are none of flowsock's. */
    SSLContext context() {
        try {
            if (keys == null && trust == null) {
                return SSLContext.getDefault();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : new KeyManager[] {keys}, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make a TLS context: " + e, e);
        }
    }

    /** What {@code Tls.toString} adds: the names SNI maps, a client's certificate, the trust when not the JDK's. */
    String describe() {
        SniKeys sni = sni();
        return (sni == null || sni.names().isEmpty() ? "" : " sni " + sni.names())
                + (keys instanceof ClientKeys c ? " presenting " + c : "")
                + (trustFile == null ? "" : " trusting " + trustFile);
    }
}
