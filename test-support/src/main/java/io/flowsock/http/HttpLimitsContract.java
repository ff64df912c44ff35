package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.DisposableServer;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * What HttpServer refuses, per RFC 9112 and its own limits: each a status naming the reason, then
 * the connection closed, and the server serving the next client. A table of malformed requests,
 * then each limit.
 */
public abstract class HttpLimitsContract extends HttpFixture {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Content-Length with Transfer-Encoding | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n",
        "differing Content-Lengths | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd",
        "obsolete line folding | GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Folded: a\\r\\n  b\\r\\n\\r\\n",
        "bare CR in a header | GET / HTTP/1.1\\r\\nHost: x\\rX-Bad: 1\\r\\n\\r\\n",
        "whitespace before the colon | GET / HTTP/1.1\\r\\nHost : x\\r\\n\\r\\n",
        "invalid header name | GET / HTTP/1.1\\r\\nHost: x\\r\\nBad(Name): 1\\r\\n\\r\\n",
        "invalid chunk size | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\nabc\\r\\n0\\r\\n\\r\\n",
        "negative Content-Length | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -1\\r\\n\\r\\n",
        "unknown transfer coding | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n",
        "missing Host in HTTP/1.1 | GET / HTTP/1.1\\r\\n\\r\\n",
        "garbage request line | HELLO\\r\\n\\r\\n",
    })
    void malformedRequestsAreAnswered400AndTheConnectionClosed(String what, String request) throws IOException {
        DisposableServer s = bind(server().handle((req, res) -> res.sendString(req.receiveString())));
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send(unescape(request)).read();
            assertThat(r.status()).as(what).isEqualTo(400);
            assertThat(r.header("Connection")).as(what).contains("close");
            assertThat(c.closedByServer(5000)).as(what).isTrue();
        }
        try (RawHttp c = new RawHttp(s.port())) {
            assertThat(c.send(GET_HELLO).read().status()).isEqualTo(200);   // the server goes on
        }
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }

    @Test
    void aRequestLineOverItsLimitIs414() throws IOException {
        DisposableServer s = bind(server().maxRequestLineLength(100).handle(HttpFixture::hello));
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send("GET /" + "a".repeat(200) + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(414);
            assertThat(c.closedByServer(5000)).isTrue();
        }
    }

    @Test
    void tooManyHeaderFieldsOrTooLargeAHeadIs431() throws IOException {
        DisposableServer s = bind(server().maxHeaders(10).maxHeaderSize(2048).handle(HttpFixture::hello));
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\n" + "X-A: 1\r\n".repeat(20) + "\r\n").read();
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.bodyText()).contains("21 header fields");
        }
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(4000) + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(431);
        }
    }

    @Test
    void aBodyOverTheLimitIs413WhetherDeclaredOrChunked() throws IOException {
        DisposableServer s = bind(server().maxBodySize(1000).handle((req, res) -> res.send(req.receive())));
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedByServer(5000)).isTrue();
        }
        DisposableServer reads = bind(server().maxBodySize(1000).handle((req, res) -> res.sendString(
                req.receiveString().map(b -> "read " + b.length()))));
        try (RawHttp c = new RawHttp(reads.port())) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.send("400\r\n" + "z".repeat(1024) + "\r\n0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
        }
    }

    @Test
    void aHeadThatTakesTooLongIs408Slowloris() throws IOException {
        DisposableServer s = bind(server().requestHeaderTimeout(Duration.ofMillis(300))
                .handle(HttpFixture::hello));
        try (RawHttp c = new RawHttp(s.port())) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n");   // and never the blank line
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedByServer(5000)).isTrue();
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        DisposableServer s = bind(server().idleTimeout(Duration.ofMillis(300)).handle(HttpFixture::hello));
        try (RawHttp c = new RawHttp(s.port())) {
            assertThat(c.send(GET_HELLO).read().status()).isEqualTo(200);
            assertThat(c.closedByServer(5000)).isTrue();
        }
    }

    @Test
    void theLastRequestAllowedOnAConnectionSaysCloseAndTheConnectionCloses() throws IOException {
        DisposableServer s = bind(server().maxRequestsPerConnection(3).handle(HttpFixture::hello));
        try (RawHttp c = new RawHttp(s.port())) {
            assertThat(c.send(GET_HELLO).read().header("Connection")).isEmpty();
            assertThat(c.send(GET_HELLO).read().header("Connection")).isEmpty();
            assertThat(c.send(GET_HELLO).read().header("Connection")).contains("close");
            assertThat(c.closedByServer(5000)).isTrue();
        }
    }

    @Test
    void badLimitsFailInTheCallNamingWhatWasWrong() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpServer.create().maxHeaders(0))
                .hasMessage("maxHeaders must be >= 1, was 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpServer.create().idleTimeout(Duration.ZERO))
                .hasMessage("idleTimeout must be positive, was PT0S");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpServer.create().maxBodySize(-1))
                .hasMessage("maxBodySize must be >= 0, was -1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpServer.create().handle(null))
                .isInstanceOf(NullPointerException.class).hasMessage("handler");
    }
}
