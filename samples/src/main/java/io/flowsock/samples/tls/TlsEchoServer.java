package io.flowsock.samples.tls;

import io.flowsock.core.Tls;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The echo server over TLS: every byte received is sent back, encrypted.
 *
 * <p>What it shows: {@code secure(Tls.server(context))} is the whole change from the plaintext
 * echo; backpressure, half-close and graceful close (close_notify, then FIN) work as before.
 * Without a key store it makes a self-signed certificate for localhost with the JDK's keytool,
 * writes that certificate as PEM and prints its path, so a client can verify the server:
 * <pre>
 * java io.flowsock.samples.tls.TlsEchoServer [port [keystore.p12 password]]   (default port 7443)
 * openssl s_client -CAfile &lt;printed path&gt; -connect localhost:7443
 * </pre>
 */
public final class TlsEchoServer {
    /** The port main binds when none is given. */
    public static final int DEFAULT_PORT = 7443;
    private static final char[] GENERATED_PASSWORD = "flowsock-sample".toCharArray();

    private TlsEchoServer() {
    }

    /** A server and the certificate a client should trust, as PEM. */
    public record Started(DisposableServer server, Path certificatePem) {
    }

    /** Binds a TLS echo server on {@code host}:{@code port} with a key store of its own making in {@code dir}. */
    public static Started start(String host, int port, Path dir) throws IOException, GeneralSecurityException,
            InterruptedException {
        Path keyStore = dir.resolve("tls-echo.p12");
        Path pem = dir.resolve("tls-echo-ca.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "7",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1,ip:::1",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", new String(GENERATED_PASSWORD));
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(), "-storepass",
                new String(GENERATED_PASSWORD), "-file", pem.toString());
        return new Started(start(host, port, context(keyStore, GENERATED_PASSWORD)), pem);
    }

    /** Binds a TLS echo server presenting the key and certificate chain of {@code context}. */
    public static DisposableServer start(String host, int port, SSLContext context) {
        return TcpServer.create()
                .host(host)
                .port(port)
                .secure(Tls.server(context))
                .handle(conn -> conn.send(conn.inbound()))
                .bindNow(Duration.ofSeconds(10));
    }

    /** An SSLContext over a PKCS#12 key store. */
    public static SSLContext context(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }

    /** Runs until the process is killed. */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
        DisposableServer server;
        if (args.length >= 3) {
            server = start("::", port, context(Path.of(args[1]), args[2].toCharArray()));
        } else {
            Started s = start("::", port, Files.createTempDirectory("flowsock-tls-echo"));
            server = s.server();
            System.out.println("self-signed certificate for localhost: " + s.certificatePem());
            System.out.println("try: openssl s_client -CAfile " + s.certificatePem() + " -connect localhost:"
                    + server.port());
        }
        System.out.println("TLS echo server listening on " + server.address() + "; stop it with Ctrl-C");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.disposeNow(Duration.ofSeconds(2)),
                "tls-echo-shutdown"));
        Thread.currentThread().join();
    }
}
