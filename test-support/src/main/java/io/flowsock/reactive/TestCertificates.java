package io.flowsock.reactive;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made for one test run with BouncyCastle: a CA, and leaf certificates it signs
 * (EC P-256), with SSL contexts over them. Nothing is checked in; nothing outlives the JVM but
 * the PEM files a test asks for, in its own temporary directory.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static final char[] PASSWORD = "test".toCharArray();

    /** A key and its certificate chain (leaf first). */
    public record Identity(KeyPair keys, X509Certificate[] chain) {
        public X509Certificate certificate() {
            return chain[0];
        }
    }

    private final Identity ca;

    private TestCertificates(Identity ca) {
        this.ca = ca;
    }

    /** A fresh CA named {@code name}. */
    public static TestCertificates newCa(String name) {
        KeyPair keys = ecKeys();
        X500Name subject = new X500Name("CN=" + name);
        X509Certificate cert = sign(subject, keys, subject, keys, true, Duration.ofDays(1), new GeneralName[0]);
        return new TestCertificates(new Identity(keys, new X509Certificate[] {cert}));
    }

    public Identity ca() {
        return ca;
    }

    /** A leaf for {@code dnsNames} (and 127.0.0.1, ::1), valid from now for {@code validity} (negative: expired). */
    public Identity leaf(String cn, Duration validity, String... dnsNames) {
        KeyPair keys = ecKeys();
        GeneralName[] names = new GeneralName[dnsNames.length + 2];
        for (int i = 0; i < dnsNames.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        names[dnsNames.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
        names[dnsNames.length + 1] = new GeneralName(GeneralName.iPAddress, "::1");
        X509Certificate cert = sign(new X500Name("CN=" + cn), keys, new X500Name(ca.certificate().getSubjectX500Principal()
                .getName()), ca.keys(), false, validity, names);
        return new Identity(keys, new X509Certificate[] {cert, ca.certificate()});
    }

    /** A leaf for localhost valid for a day. */
    public Identity leaf(String cn) {
        return leaf(cn, Duration.ofDays(1), "localhost");
    }

    /** A context presenting {@code identity} and trusting this CA (for client certificates, or a client). */
    public SSLContext context(Identity identity) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(identity == null ? null : keyManagers(identity), trustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A context that presents nothing and trusts this CA: a client's. */
    public SSLContext trusting() {
        return context(null);
    }

    /** Writes {@code cert} as PEM to {@code file} and returns the file. */
    public static Path writePem(X509Certificate cert, Path file) throws IOException {
        Files.writeString(file, pem("CERTIFICATE", encoded(cert)), StandardCharsets.US_ASCII);
        return file;
    }

    /** Writes the certificate chain of {@code identity}, leaf first, as PEM to {@code file} and returns the file. */
    public static Path writeChainPem(Identity identity, Path file) throws IOException {
        StringBuilder all = new StringBuilder();
        for (X509Certificate c : identity.chain()) {
            all.append(pem("CERTIFICATE", encoded(c)));
        }
        Files.writeString(file, all, StandardCharsets.US_ASCII);
        return file;
    }

    /** Writes the private key of {@code identity} as PKCS#8 PEM to {@code file}. */
    public static Path writeKeyPem(Identity identity, Path file) throws IOException {
        Files.writeString(file, pem("PRIVATE KEY", identity.keys().getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        return file;
    }

    private static byte[] encoded(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        StringWriter w = new StringWriter();
        w.write("-----BEGIN " + type + "-----\n");
        w.write(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der));
        w.write("\n-----END " + type + "-----\n");
        return w.toString();
    }

    private javax.net.ssl.KeyManager[] keyManagers(Identity identity) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", identity.keys().getPrivate(), PASSWORD, identity.chain());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        return kmf.getKeyManagers();
    }

    private javax.net.ssl.TrustManager[] trustManagers() throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                        boolean ca, Duration validity, GeneralName[] names) {
        Instant now = Instant.now();
        Instant from = validity.isNegative() ? now.minus(Duration.ofDays(2)) : now.minus(Duration.ofMinutes(5));
        Instant to = validity.isNegative() ? now.plus(validity) : now.plus(validity);
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(from), Date.from(to), subject, subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException | GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
