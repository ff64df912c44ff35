package io.flowsock.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The key and trust of the TLS scenarios: made once per run of the runner with BouncyCastle (a CA
 * and a server certificate it signs for 127.0.0.1, EC P-256, as test-support's TestCertificates
 * makes them for tests), written as two PKCS#12 files into a temporary directory that
 * the runner names on the command line of every TLS server and load. Nothing is checked in, and
 * the password guards keys that live for one run only.
 *
 * <p>Every contender's server builds its context from the same {@link KeyManagerFactory}; the load
 * offers exactly {@link #PROTOCOL} and {@link #CIPHER}, so every contender negotiates the same.
 */
public final class TlsFiles {
    public static final String PROTOCOL = "TLSv1.3";
    public static final String CIPHER = "TLS_AES_128_GCM_SHA256";
    private static final String SERVER = "server.p12";
    private static final String TRUST = "trust.p12";
    private static final char[] PASSWORD = "flowsock-bench".toCharArray();

    private TlsFiles() {
    }

    /** Makes a CA and a leaf it signs and writes them into {@code dir}: the server's key and the client's trust. */
    public static Path write(Path dir) throws IOException {
        try {
            KeyPair caKeys = ecKeys();
            KeyPair leafKeys = ecKeys();
            X500Name caName = new X500Name("CN=flowsock-bench-ca");
            X509Certificate ca = sign(caName, caKeys, caName, caKeys, null);
            X509Certificate leaf = sign(new X500Name("CN=flowsock-bench"), leafKeys, caName, caKeys,
                    new GeneralName(GeneralName.iPAddress, Protocol.HOST));
            KeyStore server = KeyStore.getInstance("PKCS12");
            server.load(null, null);
            server.setKeyEntry("server", leafKeys.getPrivate(), PASSWORD, new X509Certificate[] {leaf, ca});
            store(server, dir.resolve(SERVER));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            store(trust, dir.resolve(TRUST));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot write the benchmark's key stores: " + e, e);
        }
        return dir;
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    /** A certificate valid for a day; {@code name} null makes a CA, else a server certificate for that name. */
    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                        GeneralName name)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli() + (name == null ? 0 : 1)),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), subject,
                subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(name == null));
        if (name != null) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(name));
        }
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static void store(KeyStore ks, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, PASSWORD);
        }
    }

    private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /** The server's key and chain, as every contender's server context is built from them. */
    public static KeyManagerFactory keyManagers(Path dir) throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(dir.resolve(SERVER)), PASSWORD);
        return kmf;
    }

    /** A server context presenting the key in {@code dir}. */
    public static SSLContext serverContext(Path dir) throws IOException, GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers(dir).getKeyManagers(), null, null);
        return ctx;
    }

    /** Trusts the CA in {@code dir} and counts, per thread, the server certificates it checks. */
    public static CountingTrust trust(Path dir) throws IOException, GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(dir.resolve(TRUST)));
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return new CountingTrust(x);
            }
        }
        throw new IllegalStateException("the JDK made no X509ExtendedTrustManager");
    }

    /** A new client context over {@code trust}: its session cache is empty, so its first handshake is a full one. */
    public static SSLContext clientContext(CountingTrust trust) throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {trust}, null);
        return ctx;
    }

    /**
     * The client's trust, counting the server certificates it checks on each thread. A TLS 1.3
     * handshake that resumes a session (PSK) carries no certificate, so a handshake that adds no
     * check here was resumed: the load counts what really happened, not what it asked for.
     */
    public static final class CountingTrust extends X509ExtendedTrustManager {
        private static final ThreadLocal<long[]> CHECKS = ThreadLocal.withInitial(() -> new long[1]);
        private final X509ExtendedTrustManager delegate;

        CountingTrust(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        /** Server certificates checked so far on the calling thread. */
        public long checksOnThisThread() {
            return CHECKS.get()[0];
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            CHECKS.get()[0]++;
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            CHECKS.get()[0]++;
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            CHECKS.get()[0]++;
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
