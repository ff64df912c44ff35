package io.flowsock.core;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys read from PEM files with the JDK alone. Every failure is an
 * {@link IllegalArgumentException} that names the file and what is wrong with it, and for a key in
 * a format the JDK cannot read, the command that converts it.
 *
 * <p>Keys: unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}) only. The older OpenSSL formats
 * ({@code BEGIN RSA PRIVATE KEY}, {@code BEGIN EC PRIVATE KEY}) would need a hand-written DER
 * rewrite into PKCS#8, which is more parsing of key material than one conversion command is worth.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", Pattern.DOTALL);
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS", "DSA");
    private static final String TO_PKCS8 = "openssl pkcs8 -topk8 -nocrypt -in %s -out key.pkcs8.pem";

    private Pem() {
    }

    /** One {@code -----BEGIN type-----} block: its type and its decoded bytes. */
    private record Block(String type, byte[] der) {
    }

    /** The certificates of {@code file}, in file order; at least one. */
    static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        CertificateFactory factory = x509();
        for (Block b : blocks(file)) {
            if (!b.type().equals("CERTIFICATE")) {
                continue;
            }
            try {
                certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
            } catch (CertificateException e) {
                throw new IllegalArgumentException(file + ": certificate " + (certs.size() + 1)
                        + " is not a valid X.509 certificate: " + e.getMessage(), e);
            }
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certs;
    }

    /** The one unencrypted PKCS#8 private key of {@code file}. */
    static PrivateKey privateKey(Path file) {
        byte[] der = null;
        for (Block b : blocks(file)) {
            switch (b.type()) {
                case "PRIVATE KEY" -> {
                    if (der != null) {
                        throw new IllegalArgumentException(file + " holds more than one private key; one expected");
                    }
                    der = b.der();
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(file
                        + " holds an encrypted key; flowsock reads unencrypted PKCS#8, convert it with: "
                        + String.format(TO_PKCS8, file));
                case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" -> throw new IllegalArgumentException(file
                        + " holds a " + b.type() + " (OpenSSL's traditional format); flowsock reads PKCS#8"
                        + " (BEGIN PRIVATE KEY), convert it with: " + String.format(TO_PKCS8, file));
                default -> { }
            }
        }
        if (der == null) {
            throw new IllegalArgumentException(file + " holds no private key (-----BEGIN PRIVATE KEY-----)");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException(file + ": the PKCS#8 key is damaged or not one of " + KEY_ALGORITHMS);
    }

    /**
     * Refuses {@code key} unless it is the private half of {@code cert}'s public key, proved by a
     * signature it makes and the certificate's key verifies: the JDK would only find out in the
     * first handshake, as a failure the client reports.
     */
    static void requireMatch(PrivateKey key, X509Certificate cert, String where) {
        PublicKey pub = cert.getPublicKey();
        if (!pub.getAlgorithm().equals(key.getAlgorithm())) {
            throw new IllegalArgumentException(where + ": the key is " + key.getAlgorithm()
                    + " but the certificate's key is " + pub.getAlgorithm() + " (" + cert.getSubjectX500Principal() + ")");
        }
        byte[] probe = "flowsock key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature sign = signature(key.getAlgorithm());
            sign.initSign(key);
            sign.update(probe);
            byte[] sig = sign.sign();
            Signature verify = signature(key.getAlgorithm());
            verify.initVerify(pub);
            verify.update(probe);
            matches = verify.verify(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(where + ": cannot check the key against the certificate: " + e, e);
        }
        if (!matches) {
            throw new IllegalArgumentException(where + ": the private key does not match the certificate ("
                    + cert.getSubjectX500Principal() + ")");
        }
    }

    private static Signature signature(String keyAlgorithm) throws GeneralSecurityException {
        switch (keyAlgorithm) {
            case "RSA":
                return Signature.getInstance("SHA256withRSA");
            case "EC":
                return Signature.getInstance("SHA256withECDSA");
            case "DSA":
                return Signature.getInstance("SHA256withDSA");
            case "RSASSA-PSS":
                Signature pss = Signature.getInstance("RSASSA-PSS");
                pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                return pss;
            default:          // EdDSA, Ed25519, Ed448: the key names its own scheme
                return Signature.getInstance(keyAlgorithm);
        }
    }

    /** The blocks of {@code file}; refuses a file that cannot be read, is empty or has a broken block. */
    private static List<Block> blocks(Path file) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " cannot be read: " + e, e);
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException(file + " is empty");
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        int end = 0;
        while (m.find()) {
            String type = m.group(1);
            if (!type.equals(m.group(3))) {
                throw new IllegalArgumentException(file + ": BEGIN " + type + " ends with END " + m.group(3));
            }
            blocks.add(new Block(type, decode(file, type, blocks.size() + 1, m.group(2))));
            end = m.end();
        }
        if (text.indexOf("-----BEGIN ", end) >= 0) {
            throw new IllegalArgumentException(file + ": a -----BEGIN block has no matching -----END line");
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException(file + " is not PEM: no -----BEGIN ...----- block");
        }
        return blocks;
    }

    private static byte[] decode(Path file, String type, int index, String body) {
        if (body.contains("Proc-Type:") || body.contains("DEK-Info:")) {
            throw new IllegalArgumentException(file + " holds an encrypted " + type + "; flowsock reads unencrypted"
                    + " PKCS#8, convert it with: " + String.format(TO_PKCS8, file));
        }
        try {
            byte[] der = Base64.getDecoder().decode(body.replaceAll("\\s+", ""));
            if (der.length == 0) {
                throw new IllegalArgumentException("no data");
            }
            return der;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": block " + index + " (" + type + ") is not valid base64: "
                    + e.getMessage(), e);
        }
    }

    private static CertificateFactory x509() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
    }
}
