package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.DisposableServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * HttpClient's contract for one backend against other peers: scripted servers that send exact
 * bytes (chunked with trailers, close-delimited, interim 100, silence, an idle close, a body cut
 * short) and servers nobody here wrote ({@code python3 -m http.server}, {@code openssl s_server
 * -WWW}; skipped where not installed).
 */
public abstract class HttpClientPeersContract extends HttpClientFixture {
    // ---- against scripted servers: exact bytes ----

    @Test
    void aChunkedResponseWithExtensionsAndTrailersArrivesDechunked() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            InputStream in = sock.getInputStream();
            while (!ScriptedServer.readHead(in).isEmpty()) {
                ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Checksum: abc\r\nX-More: 1\r\n\r\n");
            }
        });
        HttpClient c = client(s.url());
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(c.get().uri("/").responseString()).expectNext("hello, world").expectComplete()
                    .verify(VERIFY);
        }
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void aCloseDelimitedBodyIsReadToTheEndAndItsConnectionIsNotReused() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            ScriptedServer.readHead(sock.getInputStream());
            ScriptedServer.write(sock, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end " + n);
            sock.shutdownOutput();
        });
        HttpClient c = client(s.url());
        for (int i = 1; i <= 2; i++) {
            StepVerifier.create(c.get().uri("/").responseString()).expectNext("until the end " + i).expectComplete()
                    .verify(VERIFY);
        }
        assertThat(s.accepted()).isEqualTo(2);
    }

    @Test
    void aPooledConnectionTheServerClosesIsNeverHandedOutAgain() throws IOException {
        CountDownLatch closed = new CountDownLatch(1);
        ScriptedServer s = scripted((sock, n) -> {
            ScriptedServer.readHead(sock.getInputStream());
            ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + n);
            if (n == 1) {
                sock.close();   // idle close, as a server's keep-alive timeout does
                closed.countDown();
            } else {
                ScriptedServer.readHead(sock.getInputStream());
            }
        });
        HttpClient c = client(s.url());
        StepVerifier.create(c.get().uri("/").responseString()).expectNext("1").expectComplete().verify(VERIFY);
        await(() -> closed.getCount() == 0 && c.poolStats().open() == 0, "the closed idle connection evicted");
        StepVerifier.create(c.get().uri("/").responseString()).expectNext("2").expectComplete().verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(2);
    }

    @Test
    void aRequestOnAKeptAliveConnectionTheServerClosesUnansweredIsSentOnceMoreOnANewOne() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            InputStream in = sock.getInputStream();
            ScriptedServer.readHead(in);
            ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + n);
            if (n == 1) {
                ScriptedServer.readHead(in);   // the second request: closed unanswered, as a keep-alive race does
            } else {
                ScriptedServer.readHead(in);
            }
        });
        HttpClient c = client(s.url());
        StepVerifier.create(c.get().uri("/").responseString()).expectNext("1").expectComplete().verify(VERIFY);
        StepVerifier.create(c.get().uri("/").responseString()).expectNext("2").expectComplete().verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(2);
    }

    @Test
    void aServerThatNeverAnswersFailsTheRequestAtTheResponseTimeout() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            ScriptedServer.readHead(sock.getInputStream());
            sock.getInputStream().read();   // and say nothing until the client gives up
        });
        HttpClient c = track(client(s.url()).responseTimeout(Duration.ofMillis(300)));
        StepVerifier.create(c.get().uri("/silent").responseString())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(HttpClientException.class);
                    assertThat(((HttpClientException) e).kind()).isEqualTo(HttpClientException.Kind.RESPONSE_TIMEOUT);
                    assertThat(e.getMessage()).contains("/silent").contains("300 ms");
                }).verify(VERIFY);
        await(() -> c.poolStats().open() == 0, "the silent connection closed");
    }

    @Test
    void anInterim100ContinueIsSkippedAndTheFinalResponseRead() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            InputStream in = sock.getInputStream();
            String head = ScriptedServer.readHead(in);
            ScriptedServer.write(sock, "HTTP/1.1 100 Continue\r\n\r\n");
            byte[] body = in.readNBytes(4);
            ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nContent-Length: " + (body.length + 1) + "\r\n\r\n"
                    + new String(body, StandardCharsets.ISO_8859_1) + (head.contains("Expect: 100-continue") ? "!" : "?"));
            ScriptedServer.readHead(in);
        });
        HttpClient c = client(s.url());
        StepVerifier.create(c.post().uri("/").header("Expect", "100-continue").sendString("data").responseString())
                .expectNext("data!").expectComplete().verify(VERIFY);
    }

    @Test
    void aBodyCutShortFailsWithHttpBodyException() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            ScriptedServer.readHead(sock.getInputStream());
            ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
            sock.shutdownOutput();
        });
        StepVerifier.create(client(s.url()).get().uri("/").responseString())
                .expectError(HttpBodyException.class).verify(VERIFY);
    }

    @Test
    void noContentResponsesFreeTheConnectionAtOnce() throws IOException {
        ScriptedServer s = scripted((sock, n) -> {
            InputStream in = sock.getInputStream();
            ScriptedServer.readHead(in);
            ScriptedServer.write(sock, "HTTP/1.1 204 No Content\r\n\r\n");
            ScriptedServer.readHead(in);
            ScriptedServer.write(sock, "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n");
            ScriptedServer.readHead(in);
            ScriptedServer.write(sock, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            ScriptedServer.readHead(in);
        });
        HttpClient c = client(s.url());
        StepVerifier.create(c.get().uri("/").response().map(HttpClientResponse::status)).expectNext(204)
                .expectComplete().verify(VERIFY);
        StepVerifier.create(c.get().uri("/").response().map(HttpClientResponse::status)).expectNext(304)
                .expectComplete().verify(VERIFY);
        StepVerifier.create(c.get().uri("/").responseString()).expectNext("ok").expectComplete().verify(VERIFY);
        assertThat(s.accepted()).isEqualTo(1);
    }

    // ---- against a server nobody here wrote ----

    @Test
    void pythonsHttpServerServesAFileAndA404(@TempDir Path dir) throws Exception {
        byte[] data = new byte[300_000];
        new Random(5).nextBytes(data);
        Files.write(dir.resolve("data.bin"), data);
        int port = freePort();
        Process python = external(dir, port, "python3", "-m", "http.server", "--bind", "127.0.0.1", String.valueOf(port));
        try {
            HttpClient c = client("http://127.0.0.1:" + port);
            StepVerifier.create(Bodies.aggregate(c.get().uri("/data.bin").responseContent()))
                    .assertNext(b -> assertThat(b).isEqualTo(data)).expectComplete().verify(VERIFY);
            StepVerifier.create(c.get().uri("/missing").responseSingle((r, b) -> Mono.just(r.status())))
                    .expectNext(404).expectComplete().verify(VERIFY);
        } finally {
            python.destroy();
            python.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void opensslsWwwServerAnswersOverTlsWithACloseDelimitedBody(@TempDir Path dir) throws Exception {
        io.flowsock.reactive.TestCertificates ca = io.flowsock.reactive.TestCertificates.newCa("flowsock openssl CA");
        io.flowsock.reactive.TestCertificates.Identity id = ca.leaf("localhost", Duration.ofDays(1), "localhost");
        Path chain = io.flowsock.reactive.TestCertificates.writeChainPem(id, dir.resolve("chain.pem"));
        Path key = io.flowsock.reactive.TestCertificates.writeKeyPem(id, dir.resolve("key.pem"));
        Files.writeString(dir.resolve("page.txt"), "served by openssl\n");
        int port = freePort();
        Process openssl = external(dir, port, "openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert",
                chain.toString(), "-key", key.toString(), "-WWW", "-quiet");
        try {
            HttpClient c = track(client("https://127.0.0.1:" + port)
                    .secure(io.flowsock.core.Tls.client(ca.trusting()).withServerName("localhost")));
            StepVerifier.create(c.get().uri("/page.txt").responseString()).expectNext("served by openssl\n")
                    .expectComplete().verify(VERIFY);
        } finally {
            openssl.destroy();
            openssl.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** Starts a server program in {@code dir}, skipping the test where it is not installed, and waits until it listens. */
    private static Process external(Path dir, int port, String... command) {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            Assumptions.abort(command[0] + " is not installed: " + e.getMessage());
            throw new AssertionError(e);
        }
        await(() -> {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, String.join(" ", command) + " listening on " + port);
        return p;
    }
}
