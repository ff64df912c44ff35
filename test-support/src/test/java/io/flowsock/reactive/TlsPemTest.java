package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.Tls;
import io.flowsock.core.TlsKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEM files as {@link Tls} and {@link TlsKeys} read them, no sockets: each bad file is refused in
 * the call with an {@link IllegalArgumentException} naming the file and what is wrong with it, and a
 * failed reload leaves the keys in use as they were. (Here, not in core's tests, because the
 * certificates are made with BouncyCastle, which only this module may use.)
 */
class TlsPemTest {
    private static final TestCertificates CA = TestCertificates.newCa("pem test CA");
    private static final TestCertificates.Identity ID = CA.leaf("pem");

    @TempDir
    Path dir;
    private Path chain;
    private Path key;

    @BeforeEach
    void writeGoodFiles() throws IOException {
        chain = TestCertificates.writeChainPem(ID, dir.resolve("chain.pem"));
        key = TestCertificates.writeKeyPem(ID, dir.resolve("key.pem"));
    }

    @Test
    void goodFilesGiveTheWholeChainLeafFirst() {
        TlsKeys keys = TlsKeys.fromPem(chain, key);
        assertThat(keys.chain()).containsExactly(ID.chain());
        assertThat(keys.certificate()).isEqualTo(ID.certificate());
        assertThat(Tls.server(chain, key).enabled()).isTrue();
        assertThat(Tls.client(chain).isClient()).isTrue();
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.pem");
        refused(() -> TlsKeys.fromPem(missing, key), missing + " does not exist");
        refused(() -> Tls.server(chain, missing), missing + " does not exist");
        refused(() -> Tls.client(missing), missing + " does not exist");
    }

    @Test
    void anEmptyOrNonPemFileIsNamed() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.pem"), " \n");
        Path text = Files.writeString(dir.resolve("text.pem"), "hello, not PEM\n");
        refused(() -> Tls.server(empty, key), empty + " is empty");
        refused(() -> Tls.client(text), text + " is not PEM: no -----BEGIN ...----- block");
    }

    @Test
    void aFileWithoutACertificateOrKeyIsNamed() {
        refused(() -> Tls.server(key, key), key + " holds no certificate (-----BEGIN CERTIFICATE-----)");
        refused(() -> Tls.client(key), key + " holds no certificate (-----BEGIN CERTIFICATE-----)");
        refused(() -> Tls.server(chain, chain), chain + " holds no private key (-----BEGIN PRIVATE KEY-----)");
    }

    @Test
    void clientAuthenticationFilesAreCheckedInTheCallNamingTheFile() {
        Path missing = dir.resolve("clients-ca.pem");
        Tls server = Tls.server(chain, key);
        refused(() -> server.withTrustedCertificates(missing), missing + " does not exist");
        refused(() -> server.withTrustedCertificates(key), key + " holds no certificate (-----BEGIN CERTIFICATE-----)");
        refused(() -> Tls.client().withKeys(missing, key), missing + " does not exist");
        refused(() -> Tls.client().withKeys(key, key), key + " holds no certificate (-----BEGIN CERTIFICATE-----)");
        refused(() -> Tls.client().withKeys(chain, chain),
                chain + " holds no private key (-----BEGIN PRIVATE KEY-----)");
        refused(() -> Tls.client(chain).withKeys(chain, missing), missing + " does not exist");
        assertThat(server.withTrustedCertificates(chain).withClientAuth(Tls.ClientAuth.REQUIRE))
                .hasToString(server.withClientAuth(Tls.ClientAuth.REQUIRE) + " trusting " + chain);
        assertThat(server.withTrustedCertificates(chain).withSni("a.test", TlsKeys.fromPem(chain, key)))
                .as("a name mapped later keeps the trust").hasToString(server + " sni [a.test] trusting " + chain);
        assertThat(Tls.client(chain).withKeys(chain, key).toString())
                .contains(" presenting TlsKeys[CN=pem from " + chain + "]")
                .endsWith(" trusting " + chain);
    }

    @Test
    void anUnreadableClientKeyIsNamedWithTheCommandThatConvertsIt() throws IOException {
        Path old = Files.writeString(dir.resolve("client-key.pem"), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n"
                + "-----END EC PRIVATE KEY-----\n");
        refused(() -> Tls.client().withKeys(chain, old), old + " holds a EC PRIVATE KEY (OpenSSL's traditional format);"
                + " flowsock reads PKCS#8 (BEGIN PRIVATE KEY), convert it with: openssl pkcs8 -topk8 -nocrypt -in "
                + old + " -out key.pkcs8.pem");
        Path otherKey = TestCertificates.writeKeyPem(CA.leaf("other"), dir.resolve("other-key.pem"));
        refused(() -> Tls.client().withKeys(chain, otherKey), otherKey + " and " + chain
                + ": the private key does not match the certificate (CN=pem)");
    }

    @Test
    void garbageBase64IsNamedWithItsBlock() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"),
                "-----BEGIN CERTIFICATE-----\nMIIB%%%%not*base64\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> Tls.client(garbage)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(garbage + ": block 1 (CERTIFICATE) is not valid base64");
        Path notDer = Files.writeString(dir.resolve("notder.pem"), "-----BEGIN CERTIFICATE-----\n"
                + Base64.getEncoder().encodeToString("not a certificate".getBytes(StandardCharsets.US_ASCII))
                + "\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> Tls.client(notDer)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(notDer + ": certificate 1 is not a valid X.509 certificate");
        Path badKey = Files.writeString(dir.resolve("badkey.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00})
                + "\n-----END PRIVATE KEY-----\n");
        refused(() -> Tls.server(chain, badKey), badKey + ": the PKCS#8 key is damaged or not one of [RSA, EC, EdDSA,"
                + " RSASSA-PSS, DSA]");
        Path open = Files.writeString(dir.resolve("open.pem"), Files.readString(chain).replace("-----END CERTIFICATE-----\n", ""));
        refused(() -> Tls.client(open), open + ": a -----BEGIN block has no matching -----END line");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() throws IOException {
        Path otherKey = TestCertificates.writeKeyPem(CA.leaf("other"), dir.resolve("other-key.pem"));
        refused(() -> Tls.server(chain, otherKey), otherKey + " and " + chain
                + ": the private key does not match the certificate (CN=pem)");
        assertThatThrownBy(() -> TlsKeys.of(CA.leaf("other").keys().getPrivate(), ID.chain()))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("key and chain[0]: the private key does not match the certificate (CN=pem)");
    }

    @Test
    void keysInOtherFormatsAreRefusedWithTheCommandThatConvertsThem() throws IOException {
        String convert = "convert it with: openssl pkcs8 -topk8 -nocrypt -in %s -out key.pkcs8.pem";
        for (String type : new String[] {"RSA PRIVATE KEY", "EC PRIVATE KEY"}) {
            Path old = Files.writeString(dir.resolve("old.pem"), "-----BEGIN " + type + "-----\nAAAA\n-----END "
                    + type + "-----\n");
            refused(() -> Tls.server(chain, old), old + " holds a " + type + " (OpenSSL's traditional format); flowsock"
                    + " reads PKCS#8 (BEGIN PRIVATE KEY), " + String.format(convert, old));
        }
        Path encrypted = Files.writeString(dir.resolve("enc.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        refused(() -> Tls.server(chain, encrypted), encrypted + " holds an encrypted key; flowsock reads unencrypted"
                + " PKCS#8, " + String.format(convert, encrypted));
    }

    @Test
    void aFailedReloadKeepsTheKeysInUse() throws IOException {
        TlsKeys keys = TlsKeys.fromPem(chain, key);
        TestCertificates.Identity next = CA.leaf("next");
        TestCertificates.writeChainPem(next, chain);        // the key file not renewed yet: a mismatch
        refused(keys::reload, key + " and " + chain + ": the private key does not match the certificate (CN=next)");
        assertThat(keys.certificate()).isEqualTo(ID.certificate());
        TestCertificates.writeKeyPem(next, key);
        keys.reload();
        assertThat(keys.certificate()).isEqualTo(next.certificate());
        assertThatThrownBy(() -> TlsKeys.of(ID.keys().getPrivate(), ID.chain()).reload())
                .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining("no file to reload");
    }

    private static void refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
