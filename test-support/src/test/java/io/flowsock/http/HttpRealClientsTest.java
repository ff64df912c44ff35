package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Transport;
import io.flowsock.reactive.DisposableServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HttpServer against HTTP clients nobody here wrote: curl, ApacheBench, h2load, Python's
 * http.client and Node's WebSocket client, each run as its own process. .ci/run installs the Debian packages they come in;
 * where one is missing the test is skipped and says which.
 */
class HttpRealClientsTest extends HttpFixture {
    @TempDir
    Path dir;

    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }

    private DisposableServer helloAndEcho() {
        return bind((req, res) -> req.path().equals("/echo") ? res.send(req.receive()) : hello(req, res));
    }

    record Run(int exit, String out, String err) { }

    private Run run(String... command) throws IOException, InterruptedException {
        return runWithInput(null, command);
    }

    private Run runWithInput(Path stdin, String... command) throws IOException, InterruptedException {
        Assumptions.assumeTrue(onPath(command[0]), command[0] + " is not installed (.ci/run installs it)");
        File out = dir.resolve("out-" + System.nanoTime()).toFile();
        File err = dir.resolve("err-" + System.nanoTime()).toFile();
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out).redirectError(err);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
        }
        return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.ISO_8859_1),
                Files.readString(err.toPath(), StandardCharsets.ISO_8859_1));
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private Path randomFile(int size) throws IOException {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return Files.write(dir.resolve("data-" + size), data);
    }

    @Test
    void curlReusesOneConnectionForTwoRequests() throws Exception {
        DisposableServer s = helloAndEcho();
        String url = "http://127.0.0.1:" + s.port() + "/hello";
        Run r = run("curl", "-sv", url, url);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Hello, World!Hello, World!");
        assertThat(r.err()).containsPattern("Re-using existing connection|Reusing existing");
        assertThat(s.accepted()).isEqualTo(1);
    }

    @Test
    void curlAsksForGzipAndGetsTheTextBackWholeWhetherSentWholeOrStreamed() throws Exception {
        String text = "flowsock compresses this line\n".repeat(2000);
        DisposableServer s = bind(server().compress(true).handle((req, res) -> {
            res.header("Content-Type", "text/plain; charset=utf-8");
            return req.path().equals("/whole") ? res.sendString(text)
                    : res.sendString(reactor.core.publisher.Flux.fromArray(text.split("(?<=\n)")).buffer(100)
                            .map(lines -> String.join("", lines)));
        }));
        for (String path : new String[] {"/whole", "/streamed"}) {
            Run r = run("curl", "-sv", "--compressed", "http://127.0.0.1:" + s.port() + path);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).as(path).containsIgnoringCase("< Content-Encoding: gzip");
            assertThat(r.out()).as(path).isEqualTo(text);
        }
    }

    @Test
    void curlUploadsAFileWithContentLengthAndGetsItBackByteForByte() throws Exception {
        DisposableServer s = helloAndEcho();
        Path in = randomFile(3 << 20);
        Path out = dir.resolve("echoed");
        Run r = run("curl", "-sS", "--data-binary", "@" + in, "-o", out.toString(),
                "http://127.0.0.1:" + s.port() + "/echo");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    @Test
    void curlUploadsChunkedFromStdinAfter100Continue() throws Exception {
        DisposableServer s = helloAndEcho();
        Path in = randomFile(1 << 20);
        Path out = dir.resolve("echoed");
        Run r = runWithInput(in, "curl", "-sSv", "-T", "-", "-X", "POST", "-H", "Expect: 100-continue", "-o",
                out.toString(), "http://127.0.0.1:" + s.port() + "/echo");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("Transfer-Encoding: chunked").contains("HTTP/1.1 100 Continue");
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    @Test
    void apacheBenchWithAndWithoutKeepAliveFailsNothing() throws Exception {
        DisposableServer s = helloAndEcho();
        String url = "http://127.0.0.1:" + s.port() + "/hello";
        Run keepAlive = run("ab", "-q", "-n", "2000", "-c", "8", "-k", url);
        assertThat(keepAlive.exit()).as(keepAlive.err()).isZero();
        assertThat(keepAlive.out()).containsPattern("Complete requests:\\s+2000")
                .containsPattern("Failed requests:\\s+0").containsPattern("Keep-Alive requests:\\s+2000");
        assertThat(keepAlive.out()).doesNotContain("Non-2xx");
        Run perRequest = run("ab", "-q", "-n", "500", "-c", "8", url);
        assertThat(perRequest.exit()).as(perRequest.err()).isZero();
        assertThat(perRequest.out()).containsPattern("Complete requests:\\s+500").containsPattern("Failed requests:\\s+0");
    }

    @Test
    void h2loadPipelinesSixteenDeepOverHttp11() throws Exception {
        DisposableServer s = helloAndEcho();
        Run r = run("h2load", "--h1", "-n", "4000", "-c", "4", "-m", "16", "http://127.0.0.1:" + s.port() + "/hello");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("4000 succeeded, 0 failed, 0 errored").contains("status codes: 4000 2xx");
        assertThat(s.accepted()).isEqualTo(4);
    }

    @Test
    void curlSpeaksHttpsToASecuredServerAndVerifiesItsCertificate() throws Exception {
        io.flowsock.reactive.TestCertificates ca = io.flowsock.reactive.TestCertificates.newCa("flowsock test CA");
        io.flowsock.reactive.TestCertificates.Identity server = ca.leaf("localhost", java.time.Duration.ofDays(1),
                "localhost");
        Path caPem = io.flowsock.reactive.TestCertificates.writePem(ca.ca().certificate(), dir.resolve("ca.pem"));
        DisposableServer s = bind(server().secure(io.flowsock.core.Tls.server(ca.context(server)))
                .handle((req, res) -> res.sendString(req.tlsSession().map(t -> t.getProtocol()).orElse("plain"))));
        String url = "https://localhost:" + s.port() + "/";
        Run r = run("curl", "-sS", "--cacert", caPem.toString(), "--resolve", "localhost:" + s.port() + ":127.0.0.1",
                url, url);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("TLSv1.3TLSv1.3");
        assertThat(s.accepted()).isEqualTo(1);
        Run untrusted = run("curl", "-sS", "--resolve", "localhost:" + s.port() + ":127.0.0.1", url);
        assertThat(untrusted.exit()).isNotZero();   // no --cacert: curl refuses the test CA
    }

    @Test
    void pythonsHttpClientKeepsAliveAndSendsChunked() throws Exception {
        DisposableServer s = helloAndEcho();
        Path script = Files.writeString(dir.resolve("client.py"), String.join("\n",
                "import http.client, sys",
                "c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=20)",
                "for i in range(3):",
                "    c.request('GET', '/hello')",
                "    r = c.getresponse()",
                "    assert r.status == 200 and r.read() == b'Hello, World!', r.status",
                "def parts():",
                "    for i in range(100):",
                "        yield (b'%03d,' % i)",
                "c.request('POST', '/echo', body=parts(), encode_chunked=True)",
                "r = c.getresponse()",
                "body = r.read()",
                "assert body == b''.join(b'%03d,' % i for i in range(100)), body[:40]",
                "c.request('HEAD', '/hello')",
                "r = c.getresponse()",
                "assert r.getheader('Content-Length') == '13' and r.read() == b''",
                "print('ok', c.sock.getsockname()[1])",
                ""));
        List<String> command = new ArrayList<>(List.of("python3", script.toString(), String.valueOf(s.port())));
        Run r = run(command.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("ok");
        assertThat(s.accepted()).isEqualTo(1);
    }

    /** Node's own WebSocket client (undici's), built in from Node 22 and behind a flag in Node 20 and 21. */
    private static final String NODE_WS = String.join("\n",
            "const ws = new WebSocket(process.argv[1]); ws.binaryType = 'arraybuffer';",
            "ws.onopen = () => { ws.send('hello from node'); const b = new Uint8Array(100000);",
            "  for (let i = 0; i < b.length; i++) b[i] = i & 255; ws.send(b); };",
            "ws.onmessage = (e) => { if (typeof e.data === 'string') { console.log('text ' + e.data); return; }",
            "  const a = new Uint8Array(e.data); let ok = a.length === 100000;",
            "  for (let i = 0; ok && i < a.length; i++) ok = a[i] === (i & 255);",
            "  console.log('binary ' + a.length + ' ' + ok); ws.close(4000, 'bye'); };",
            "ws.onclose = (e) => { console.log('close ' + e.code + ' ' + e.wasClean); process.exit(0); };",
            "ws.onerror = (e) => { console.log('error ' + e.message); process.exit(2); };",
            "setTimeout(() => { console.log('timeout'); process.exit(3); }, 20000);");

    @Test
    void nodesWebSocketClientEchoesTextAndBinaryAndClosesCleanly() throws Exception {
        Assumptions.assumeTrue(onPath("node"), "node is not installed");
        String flag = null;
        if (run("node", "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 1)").exit() != 0) {
            flag = "--experimental-websocket";
            Assumptions.assumeTrue(run("node", flag, "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 1)").exit() == 0,
                    "this node has no WebSocket client (Node 20.10 or later has one)");
        }
        DisposableServer s = bind((req, res) -> res.sendWebSocket(WebSocketSpec.defaults().maxMessageSize(1 << 20),
                ws -> ws.send(ws.receive())));
        String url = "ws://127.0.0.1:" + s.port() + "/ws";
        Run r = flag == null ? run("node", "-e", NODE_WS, url) : run("node", flag, "-e", NODE_WS, url);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("text hello from node\nbinary 100000 true\nclose 4000 true\n");
    }
}
