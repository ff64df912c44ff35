package io.flowsock.core;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A private key and its certificate chain, a server's or a client's, which can be replaced while
 * connections are made: {@link Tls#server(TlsKeys)}, {@link Tls#withSni(String, TlsKeys)} and, for a
 * client certificate, {@link Tls#withKeys(TlsKeys)} read the current ones at each new handshake.
 * <pre>{@code
 * TlsKeys keys = TlsKeys.fromPem(Path.of("chain.pem"), Path.of("key.pem"));
 * TcpServer.create().secure(Tls.server(keys))...;
 * keys.reload();       // after the files were renewed: new handshakes present the new certificate
 * }</pre>
 *
 * <p><b>Threading.</b> Safe to share; {@code reload} and {@code replace} may be called from any
 * thread (not a completion port's: {@code reload} reads files) and take effect at the next
 * handshake.
 *
 * <p><b>Lifecycle.</b> A connection keeps the certificate it was handshaken with. A client that
 * resumes a session made before a server's swap is not shown the new certificate; a new full
 * handshake is. A client presenting these keys forgets its cached sessions after a swap, so the
 * server sees the new certificate at the next connection.
 */
public final class TlsKeys {
    private static final AtomicLong IDS = new AtomicLong();

    /** One key with its chain, checked to belong together; {@code alias} names it to the JDK's handshake. */
    record Material(PrivateKey key, X509Certificate[] chain, String alias) {
        /** Whether the key serves a handshake that asks for {@code keyType} ("EC", "RSA", or "EC_EC" forms). */
        boolean fits(String keyType) {
            String alg = key.getAlgorithm();
            return keyType == null || keyType.equals(alg) || keyType.startsWith(alg + "_");
        }
    }

    private final Path chainFile;
    private final Path keyFile;
    // Written under this object's lock by reload/replace; read lock-free by handshakes on any thread.
    // previous keeps the material a handshake may have chosen just before a swap, so its alias still resolves.
    private volatile Material current;
    private volatile Material previous;

    private TlsKeys(Path chainFile, Path keyFile, Material material) {
        this.chainFile = chainFile;
        this.keyFile = keyFile;
        this.current = material;
        this.previous = material;
    }

    /**
     * The key in {@code privateKeyPem} (unencrypted PKCS#8, {@code BEGIN PRIVATE KEY}) and the chain in
     * {@code certChainPem} (leaf first), read now and again at each {@link #reload()}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong: missing, empty, not PEM, no
     *         certificate, no key or a key in another format (with the command that converts it), or a key
     *         that does not match the leaf certificate
     */
    public static TlsKeys fromPem(Path certChainPem, Path privateKeyPem) {
        Objects.requireNonNull(certChainPem, "certChainPem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        return new TlsKeys(certChainPem, privateKeyPem, read(certChainPem, privateKeyPem));
    }

    /**
     * {@code key} with its certificate {@code chain} (leaf first), held in memory.
     *
     * @throws IllegalArgumentException if the chain is empty or the key does not match its leaf
     */
    public static TlsKeys of(PrivateKey key, X509Certificate... chain) {
        return new TlsKeys(null, null, material(key, chain));
    }

    /**
     * Reads the PEM files this was made from again; new handshakes present what they hold now. On
     * failure the current key and chain stay in use.
     *
     * @throws IllegalArgumentException as {@link #fromPem(Path, Path)} does
     * @throws IllegalStateException if this was made in memory with {@link #of(PrivateKey, X509Certificate...)}
     */
    public void reload() {
        if (chainFile == null) {
            throw new IllegalStateException("TlsKeys.of(...) holds keys in memory, there is no file to reload;"
                    + " use replace(key, chain)");
        }
        swap(read(chainFile, keyFile));
    }

    /**
     * New handshakes present {@code key} and {@code chain} (leaf first) from now on.
     *
     * @throws IllegalArgumentException if the chain is empty or the key does not match its leaf; the
     *         current key and chain then stay in use
     */
    public void replace(PrivateKey key, X509Certificate... chain) {
        swap(material(key, chain));
    }

    /** The certificate new handshakes present now (the chain's leaf). */
    public X509Certificate certificate() {
        return current.chain()[0];
    }

    /** The certificate chain new handshakes present now, leaf first. */
    public List<X509Certificate> chain() {
        return List.of(current.chain());
    }

    /** What a handshake starting now presents. */
    Material current() {
        return current;
    }

    /** The material named {@code alias}, if it is the current or the one just before. */
    Material byAlias(String alias) {
        Material c = current;
        if (c.alias().equals(alias)) {
            return c;
        }
        Material p = previous;
        return p.alias().equals(alias) ? p : null;
    }

    private synchronized void swap(Material next) {
        previous = current;
        current = next;
    }

    private static Material read(Path chainFile, Path keyFile) {
        List<X509Certificate> chain = Pem.certificates(chainFile);
        PrivateKey key = Pem.privateKey(keyFile);
        Pem.requireMatch(key, chain.get(0), keyFile + " and " + chainFile);
        return new Material(key, chain.toArray(X509Certificate[]::new), "flowsock-" + IDS.incrementAndGet());
    }

    private static Material material(PrivateKey key, X509Certificate[] chain) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(chain, "chain");
        if (chain.length == 0) {
            throw new IllegalArgumentException("chain must hold at least the leaf certificate, got none");
        }
        for (int i = 0; i < chain.length; i++) {
            if (chain[i] == null) {
                throw new IllegalArgumentException("chain[" + i + "] must not be null");
            }
        }
        Pem.requireMatch(key, chain[0], "key and chain[0]");
        return new Material(key, chain.clone(), "flowsock-" + IDS.incrementAndGet());
    }

    @Override
    public String toString() {
        return "TlsKeys[" + certificate().getSubjectX500Principal() + (chainFile == null ? "" : " from " + chainFile) + "]";
    }
}
