package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * However a stream of pipelined requests is cut into reads, the server sees the same requests and
 * bodies and answers them in order: random requests (no body, Content-Length, chunked with random
 * chunk sizes, with and without trailers) cut at random points.
 */
class SplitRequestsTest {

    record Request(String method, String path, String body, boolean chunked, List<Integer> chunkSizes) {
        byte[] bytes() {
            StringBuilder s = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: x\r\n");
            if (body == null) {
                return s.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
            }
            if (!chunked) {
                s.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
                return s.toString().getBytes(StandardCharsets.ISO_8859_1);
            }
            s.append("Transfer-Encoding: chunked\r\n\r\n");
            int at = 0;
            for (int size : chunkSizes) {
                int n = Math.min(size, body.length() - at);
                if (n <= 0) {
                    break;
                }
                s.append(Integer.toHexString(n)).append(at % 2 == 0 ? "" : ";ext=v").append("\r\n")
                        .append(body, at, at + n).append("\r\n");
                at += n;
            }
            if (at < body.length()) {
                s.append(Integer.toHexString(body.length() - at)).append("\r\n").append(body.substring(at)).append("\r\n");
            }
            s.append(body.length() % 2 == 0 ? "0\r\n\r\n" : "0\r\nX-Trailer: t\r\n\r\n");
            return s.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        String expectedAnswer() {
            return method + " " + path + " " + (body == null ? 0 : body.length()) + " "
                    + (body == null ? "" : body).hashCode();
        }
    }

    @Provide
    Arbitrary<List<Request>> requests() {
        return request().list().ofMinSize(1).ofMaxSize(10);
    }

    Arbitrary<Request> request() {
        Arbitrary<String> path = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(20)
                .map(p -> "/" + p);
        Arbitrary<String> body = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(3000).injectNull(0.3);
        Arbitrary<List<Integer>> chunks = Arbitraries.integers().between(1, 700).list().ofMaxSize(8);
        return Combinators.combine(Arbitraries.of("GET", "POST", "PUT"), path, body, Arbitraries.of(true, false), chunks)
                .as((m, p, b, c, sizes) -> new Request(b == null ? "GET" : m, p, b, c, sizes));
    }

    @Property(tries = 200)
    void pipelinedRequestsCutAnywhereAreServedWholeAndInOrder(
            @ForAll("requests") List<Request> requests,
            @ForAll List<@net.jqwik.api.constraints.IntRange(min = 1, max = 4000) Integer> cuts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Request r : requests) {
            all.writeBytes(r.bytes());
        }
        byte[] wire = all.toByteArray();
        List<ByteBuffer> reads = new ArrayList<>();
        int at = 0;
        int i = 0;
        while (at < wire.length) {
            int n = cuts.isEmpty() ? wire.length : Math.min(cuts.get(i++ % cuts.size()), wire.length - at);
            ByteBuffer b = ByteBuffer.allocate(n + 8);
            b.position(4);   // a buffer whose content is not at index 0, as a slice of port memory may be
            b.put(wire, at, n).flip().position(4);
            reads.add(b.slice());
            at += n;
        }
        ScriptedConnection conn = new ScriptedConnection(reads);
        ServerConnections registry = new ServerConnections(HttpLimits.DEFAULTS);
        new ServerConnection(conn, (req, res) -> res.sendString(req.receiveString().map(body ->
                req.method() + " " + req.uri() + " " + body.length() + " " + body.hashCode())),
                HttpLimits.DEFAULTS, registry).serve().subscribe();

        List<String> answers = answers(conn.output(), requests.size());
        List<String> expected = requests.stream().map(Request::expectedAnswer).toList();
        assertThat(answers).isEqualTo(expected);
    }

    /** The bodies of the first {@code count} Content-Length responses in {@code out}. */
    private static List<String> answers(byte[] out, int count) {
        String s = new String(out, StandardCharsets.ISO_8859_1);
        List<String> bodies = new ArrayList<>();
        int at = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (bodies.size() < count && System.nanoTime() < deadline) {
            int headEnd = s.indexOf("\r\n\r\n", at);
            if (headEnd < 0) {
                break;
            }
            String head = s.substring(at, headEnd);
            int cl = head.indexOf("Content-Length: ");
            int length = Integer.parseInt(head.substring(cl + 16, head.indexOf("\r\n", cl)));
            bodies.add(s.substring(headEnd + 4, headEnd + 4 + length));
            at = headEnd + 4 + length;
        }
        return bodies;
    }
}
