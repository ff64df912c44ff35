package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection holds a request parser only while it reads and serves a request: waiting for the
 * next one it gives the parser back to its server, and the next request on any connection of that
 * server takes the same parser again, reset.
 */
class RequestParsersTest {
    private static final String GET = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String POST = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";

    @Test
    void aConnectionWaitingForItsNextRequestHoldsNoParser() {
        ServerConnections registry = new ServerConnections(HttpLimits.DEFAULTS);
        // one read per request: between them the connection waits, parser given back
        ScriptedConnection first = serve(registry, GET, POST, GET);
        assertThat(answers(first)).containsExactly("GET /a 0", "POST /b 3", "GET /a 0");
        assertThat(registry.parsers().kept()).isEqualTo(1);

        ScriptedConnection second = serve(registry, POST + GET);   // pipelined in one read
        assertThat(answers(second)).containsExactly("POST /b 3", "GET /a 0");
        assertThat(registry.parsers().kept()).as("the same parser served both connections").isEqualTo(1);
    }

    @Test
    void aConnectionClosedAfterAWholeRequestGivesItsParserBack() {
        ServerConnections registry = new ServerConnections(HttpLimits.DEFAULTS);
        ScriptedConnection c = serve(registry, "GET /a HTTP/1.0\r\n\r\n", "GET /never HTTP/1.0\r\n\r\n");
        assertThat(answers(c)).containsExactly("GET /a 0");
        assertThat(c.closedGracefully()).isTrue();
        assertThat(registry.parsers().kept()).isEqualTo(1);
    }

    @Test
    void aConnectionThatEndsInsideARequestHeadDoesNotGiveItsParserBack() {
        ServerConnections registry = new ServerConnections(HttpLimits.DEFAULTS);
        ScriptedConnection c = serve(registry, "GET /a HTTP/1.1\r\nHo");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!c.isDisposed() && !c.closedGracefully() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(registry.parsers().kept()).isZero();
    }

    private static ScriptedConnection serve(ServerConnections registry, String... reads) {
        List<ByteBuffer> input = java.util.Arrays.stream(reads)
                .map(r -> ByteBuffer.wrap(r.getBytes(StandardCharsets.US_ASCII))).toList();
        ScriptedConnection conn = new ScriptedConnection(input);
        new ServerConnection(conn, (req, res) -> res.sendString(req.receiveString().defaultIfEmpty("")
                .map(body -> req.method() + " " + req.uri() + " " + body.length())),
                HttpLimits.DEFAULTS, registry).serve().block(Duration.ofSeconds(5));
        return conn;
    }

    private static List<String> answers(ScriptedConnection conn) {
        String s = new String(conn.output(), StandardCharsets.ISO_8859_1);
        List<String> bodies = new java.util.ArrayList<>();
        int at = 0;
        for (int head; (head = s.indexOf("\r\n\r\n", at)) >= 0; ) {
            int cl = s.indexOf("Content-Length: ", at);
            int length = Integer.parseInt(s.substring(cl + 16, s.indexOf("\r\n", cl)));
            bodies.add(s.substring(head + 4, head + 4 + length));
            at = head + 4 + length;
        }
        return bodies;
    }
}
