package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.reactive.DisposableServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Sinks;

/**
 * HttpServer's gzip response compression for one backend, checked with the JDK's own gzip and
 * inflate readers: which responses are compressed, what their fields say, and that a streamed
 * body is flushed through the compressor buffer by buffer.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class HttpCompressionContract extends HttpFixture {
    /** 10 KiB of text that compresses well, with a random part so it is not trivial. */
    private static final String TEXT = text();

    private static String text() {
        StringBuilder b = new StringBuilder();
        Random r = new Random(3);
        while (b.length() < 10_240) {
            b.append("line ").append(r.nextInt(1000)).append(": the quick brown fox\n");
        }
        return b.toString();
    }

    private DisposableServer textServer(String contentType, String body) {
        return bind(server().compress(true).handle((req, res) -> res.header("Content-Type", contentType)
                .sendString(body)));
    }

    private static String get(String acceptEncoding) {
        return "GET / HTTP/1.1\r\nHost: x\r\n" + (acceptEncoding == null ? "" : "Accept-Encoding: " + acceptEncoding
                + "\r\n") + "\r\n";
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Test
    void aTextBodyGoesGzippedToAClientThatAcceptsIt() throws IOException {
        DisposableServer s = textServer("text/plain; charset=utf-8", TEXT);
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send(get("deflate, gzip;q=0.8, br")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Encoding")).contains("gzip");
            assertThat(r.header("Vary")).contains("Accept-Encoding");
            assertThat(r.header("Content-Length")).contains(Integer.toString(r.body().length));
            assertThat(r.body().length).isLessThan(TEXT.length() / 3);
            assertThat(new String(gunzip(r.body()), StandardCharsets.UTF_8)).isEqualTo(TEXT);

            RawHttp.Response again = c.send(get("gzip")).read();   // the connection goes on, framed right
            assertThat(new String(gunzip(again.body()), StandardCharsets.UTF_8)).isEqualTo(TEXT);
        }
    }

    @Test
    void whatMustNotBeCompressedGoesAsItIs() throws IOException {
        DisposableServer text = textServer("text/plain", TEXT);
        DisposableServer small = textServer("text/plain", "short");
        DisposableServer png = textServer("image/png", TEXT);
        try (RawHttp c = new RawHttp(text.port()); RawHttp cs = new RawHttp(small.port());
             RawHttp cp = new RawHttp(png.port())) {
            for (String refusing : new String[] {null, "identity", "gzip;q=0", "deflate, br", "gzip; q=0.000"}) {
                RawHttp.Response r = c.send(get(refusing)).read();
                assertThat(r.header("Content-Encoding")).as(String.valueOf(refusing)).isEmpty();
                assertThat(r.bodyText()).isEqualTo(TEXT);
            }
            assertThat(cs.send(get("gzip")).read().header("Content-Encoding")).as("below 2 KiB").isEmpty();
            assertThat(cp.send(get("gzip")).read().header("Content-Encoding")).as("image/png").isEmpty();
            RawHttp.Response head = c.send("HEAD / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n").read(true);
            assertThat(head.header("Content-Encoding")).as("HEAD").isEmpty();
        }
    }

    @Test
    void aResponseEncodedByTheHandlerIsLeftAlone() throws IOException {
        byte[] already = {1, 2, 3, 4};
        DisposableServer s = bind(server().compress(new HttpCompression(0, Set.of("application/json"), 1))
                .handle((req, res) -> res.header("Content-Type", "application/json").header("Content-Encoding", "br")
                        .send(reactor.core.publisher.Mono.just(ByteBuffer.wrap(already)))));
        try (RawHttp c = new RawHttp(s.port())) {
            RawHttp.Response r = c.send(get("gzip, br")).read();
            assertThat(r.header("Content-Encoding")).contains("br");
            assertThat(r.body()).isEqualTo(already);
        }
    }

    @Test
    void aStreamedBodyIsCompressedChunkedAndEachBufferArrivesWhenSent() throws Exception {
        Sinks.Many<String> events = Sinks.many().unicast().onBackpressureBuffer();
        DisposableServer s = bind(server().compress(true).handle((req, res) -> res
                .header("Content-Type", "text/plain")
                .send(events.asFlux().map(e -> StandardCharsets.UTF_8.encode("data: " + e + "\n\n")))));
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(get("gzip").getBytes(StandardCharsets.US_ASCII));
            String head = ScriptedServer.readHead(in);
            assertThat(head).contains("Transfer-Encoding: chunked").contains("Content-Encoding: gzip")
                    .doesNotContain("Content-Length");

            Inflater inflater = new Inflater(true);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] gzipHeader = readChunk(in);                  // the gzip header goes first, alone
            all.write(gzipHeader);
            assertThat(gzipHeader).hasSize(10);
            for (int i = 0; i < 3; i++) {
                String event = "event " + i + " " + TEXT.substring(0, 300);
                events.tryEmitNext(event);
                byte[] chunk = readChunk(in);                   // this event's compressed bytes, flushed
                all.write(chunk);
                assertThat(inflate(inflater, chunk)).isEqualTo("data: " + event + "\n\n");
            }
            events.tryEmitComplete();
            byte[] chunk;
            while ((chunk = readChunk(in)).length > 0) {
                all.write(chunk);
            }
            inflater.end();
            String whole = new String(gunzip(all.toByteArray()), StandardCharsets.UTF_8);
            assertThat(whole).startsWith("data: event 0").contains("data: event 2").endsWith("\n\n");
        }
    }

    private static String inflate(Inflater inflater, byte[] compressed) throws DataFormatException {
        inflater.setInput(compressed);
        byte[] buf = new byte[64 * 1024];
        int n = inflater.inflate(buf);
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    /** One chunk's data (empty for the last chunk, whose trailer section is read too). */
    private static byte[] readChunk(InputStream in) throws IOException {
        StringBuilder size = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("the connection closed within a chunk size");
            }
            if (b != '\r') {
                size.append((char) b);
            }
        }
        int n = Integer.parseInt(size.toString().trim(), 16);
        byte[] data = in.readNBytes(n);
        in.readNBytes(2);   // CRLF after the data, or the empty trailer section after the last chunk
        return data;
    }
}
