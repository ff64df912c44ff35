package io.flowsock.spring.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Self-signed PKCS12 key stores made by the JDK's keytool, for Boot's {@code server.ssl.*} tests. */
final class TestKeyStores {
    static final String PASSWORD = "changeit";

    private TestKeyStores() {
    }

    /** A store with one EC key entry {@code alias} for {@code host} (CN and a DNS SAN), plus {@code extraSan}. */
    static Path selfSigned(String alias, String host, String extraSan) {
        try {
            Path dir = Files.createTempDirectory("flowsock-ssl");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(alias + ".p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", alias, "-keyalg", "EC",
                    "-dname", "CN=" + host, "-ext", "SAN=dns:" + host + extraSan, "-validity", "1",
                    "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", PASSWORD))
                    .redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
            }
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
