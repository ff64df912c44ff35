package io.flowsock.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Tls;
import io.flowsock.http.HttpServer;
import io.flowsock.reactive.DisposableServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FlowsockHttpHandlerAdapterTest {
    private DisposableServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            // the JDK's client may keep a connection whose response had no body; the server would
            // wait for its FIN up to the close timeout, which says nothing about the adapter
            server.disposeNow(Duration.ofMillis(500));
        }
    }

    /** One request per connection: the JDK's client, which cannot be closed on JDK 17, keeps no socket open. */
    private int serve(HttpHandler handler) {
        return serve(HttpServer.create().host("127.0.0.1"), handler);
    }

    private int serve(HttpServer http, HttpHandler handler) {
        server = http.maxRequestsPerConnection(1).handle(new FlowsockHttpHandlerAdapter(handler)).bindNow();
        return server.port();
    }

    private static Mono<Void> text(ServerHttpResponse response, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().setContentLength(bytes.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @Test
    void requestLineHeadersCookiesAndAddressesReachSpring() throws Exception {
        int port = serve((req, res) -> text(res, req.getMethod() + " " + req.getURI() + " q=" + req.getQueryParams()
                + " h=" + req.getHeaders().get("X-Many") + " c=" + req.getCookies().values().stream()
                        .flatMap(List::stream).map(HttpCookie::toString).collect(Collectors.joining(","))
                + " local=" + req.getLocalAddress().getPort() + " remote=" + req.getRemoteAddress().getAddress().getHostAddress()
                + " ssl=" + req.getSslInfo()));
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/p%20a?a=1&a=2"))
                .header("X-Many", "one").header("X-Many", "two")
                .header("Cookie", "a=1; b=\"two\"; ;=x; c=").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("GET http://127.0.0.1:" + port + "/p%20a?a=1&a=2 q={a=[1, 2]} h=[one, two]"
                + " c=a=1,b=two,c= local=" + port + " remote=127.0.0.1 ssl=null");
    }

    @Test
    void requestHeadersAreAReadOnlyCaseInsensitiveViewThatAMutatedRequestCopies() throws Exception {
        int port = serve((req, res) -> {
            org.springframework.http.HttpHeaders h = req.getHeaders();
            String refused;
            try {
                h.add("X-Nope", "1");
                refused = "added";
            } catch (UnsupportedOperationException e) {
                refused = "refused";
            }
            org.springframework.http.server.reactive.ServerHttpRequest mutated = req.mutate().header("X-Added", "yes").build();
            return text(res, h.get("x-many") + " " + h.getFirst("X-MANY") + " " + h.get("X-Absent") + " "
                    + h.containsHeader("x-many") + " " + h.headerNames().contains("x-MANY") + " " + h.size() + " " + refused
                    + " " + mutated.getHeaders().get("X-Added") + " " + mutated.getHeaders().get("x-many"));
        });
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("X-Many", "one").header("x-many", "two").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        // the JDK's client sends Host, User-Agent and the two X-Many fields (Content-Length: 0 not on a GET)
        assertThat(r.body()).startsWith("[one, two] one null true true ").endsWith(" refused [yes] [one, two]");
    }

    @Test
    void statusHeadersAndCookiesAreCommittedWithTheFirstWrite() throws Exception {
        int port = serve((req, res) -> {
            res.setStatusCode(HttpStatus.CREATED);
            res.getHeaders().add("X-Two", "1");
            res.getHeaders().add("X-Two", "2");
            res.addCookie(ResponseCookie.from("id", "42").httpOnly(true).build());
            res.addCookie(ResponseCookie.from("theme", "dark").build());
            return text(res, "made");
        });
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().allValues("X-Two")).containsExactly("1", "2");
        assertThat(r.headers().allValues("Set-Cookie")).containsExactly("id=42; HttpOnly", "theme=dark");
        assertThat(r.headers().firstValue("Content-Length")).hasValue("4");
        assertThat(r.body()).isEqualTo("made");
    }

    @Test
    void responseHeadersAreTheFlowsockResponsesFieldsCheckedWhenSet() throws Exception {
        int port = serve((req, res) -> {
            org.springframework.http.HttpHeaders h = res.getHeaders();
            h.add("X-One", "1");
            h.set("x-one", "uno");   // replaces, case-insensitively
            h.addAll("X-Many", List.of("a", "b"));
            h.add("X-Gone", "g");
            h.remove("x-GONE");
            h.add("X-Iterated", "i");
            h.headerSet().removeIf(e -> e.getKey().equals("X-Iterated"));
            String refused;
            try {
                h.set("X-Split", "a\r\nInjected: yes");
                refused = "accepted";
            } catch (IllegalArgumentException e) {
                refused = e.getMessage().contains("X-Split") ? "refused" : e.getMessage();
            }
            io.flowsock.http.HttpHeaders own = ((AbstractServerHttpResponse) res).<io.flowsock.http.HttpServerResponse>getNativeResponse().headers();
            return text(res, own.getAll("X-One") + " " + own.getAll("x-many") + " " + own.contains("X-Gone") + " "
                    + own.contains("X-Iterated") + " " + h.getFirst("X-MANY") + " " + h.size() + " " + refused);
        });
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        // the size counts X-One and X-Many; Content-Length is set by text() after the body is made
        assertThat(r.body()).isEqualTo("[uno] [a, b] false false a 2 refused");
        assertThat(r.headers().allValues("X-One")).containsExactly("uno");
        assertThat(r.headers().allValues("X-Many")).containsExactly("a", "b");
        assertThat(r.headers().map()).doesNotContainKeys("x-gone", "x-iterated", "x-split", "injected");
        assertThat(r.headers().firstValue("Content-Length")).hasValue(String.valueOf(r.body().length()));
    }

    @Test
    void setCompleteWithoutABodySendsTheStatusAndHeaders() throws Exception {
        int port = serve((req, res) -> {
            res.setStatusCode(HttpStatus.NO_CONTENT);
            res.getHeaders().add("X-Done", "yes");
            return res.setComplete();
        });
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("X-Done")).hasValue("yes");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void requestBodyArrivesAsUncopiedHeapDataBuffersAndStreamsBack() throws Exception {
        int port = serve((req, res) -> res.writeWith(req.getBody().doOnNext(b -> {
            if (!(b instanceof DefaultDataBuffer)) {
                throw new AssertionError("not a DefaultDataBuffer: " + b.getClass());
            }
        })));
        byte[] body = new byte[1 << 20];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        HttpResponse<byte[]> r = client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        assertThat(r.body()).isEqualTo(body);
    }

    @Test
    void writeAndFlushWithPutsEachPartOnTheWireBeforeTheNextIsProduced() throws Exception {
        // the second part is produced only once the client has read the first: without a write per
        // part the exchange could never finish
        Sinks.One<String> clientSawFirst = Sinks.one();
        DefaultDataBufferFactory f = DefaultDataBufferFactory.sharedInstance;
        int port = serve((req, res) -> res.writeAndFlushWith(Flux.just(
                Mono.just(f.wrap("first\n".getBytes(StandardCharsets.US_ASCII))),
                clientSawFirst.asMono().map(s -> (DataBuffer) f.wrap((s + " then second\n").getBytes(StandardCharsets.US_ASCII))))));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String upToFirst = readUntil(in, "first\n");
            assertThat(upToFirst).startsWith("HTTP/1.1 200").contains("Transfer-Encoding: chunked");
            clientSawFirst.tryEmitValue("saw first");
            assertThat(readUntil(in, "0\r\n\r\n")).contains("saw first then second\n");
        }
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder s = new StringBuilder();
        while (s.indexOf(end) < 0) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after " + s);
            }
            s.append((char) c);
        }
        return s.toString();
    }

    @Test
    void headGetsTheHeadWithTheBodysLengthAndNoBody() throws Exception {
        int port = serve((req, res) -> text(res, "twelve bytes"));
        HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Length")).hasValue("12");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void aRequestTargetThatIsNoUriIsAnswered400() throws Exception {
        int port = serve((req, res) -> text(res, "unreachable"));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400").doesNotContain("unreachable");
        }
    }

    @Test
    void httpsRequestsCarryTheirTlsSessionAndScheme(@TempDir Path dir) throws Exception {
        SelfSigned cert = SelfSigned.create(dir);
        HttpServer https = HttpServer.create().host("127.0.0.1").secure(Tls.server(cert.serverContext()));
        int port = serve(https, (req, res) -> text(res, req.getURI().getScheme() + " "
                + (req.getSslInfo() != null) + " peers=" + req.getSslInfo().getPeerCertificates().length));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(cert.clientContext()).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("https true peers=0");
    }
}
