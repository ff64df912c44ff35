package io.flowsock.http;

import static io.flowsock.http.WebSocketClientWireContract.accept101;
import static io.flowsock.http.WebSocketClientWireContract.frame;
import static io.flowsock.http.WebSocketClientWireContract.readFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.reactive.DisposableServer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * permessage-deflate (RFC 7692) for one backend: flowsock's client and server compressing both
 * ways with the window kept from message to message, and each side against a peer that frames and
 * deflates by hand (RSV1 on the wire, the flush's tail left off, offers passed over, answers
 * refused, a message that inflates past the limit).
 */
public abstract class WebSocketCompressionContract extends HttpClientFixture {
    private static final WebSocketSpec COMPRESS = WebSocketSpec.defaults().compress(true);

    @Test
    void messagesGoCompressedBothWaysAndComeBackWhole() {
        WebSocketSpec spec = COMPRESS.maxMessageSize(1 << 20);
        DisposableServer s = bind((req, res) -> res.sendWebSocket(spec, ws -> ws.send(ws.receive())));
        Random r = new Random(7);
        List<WebSocketMessage> sent = new ArrayList<>();
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {   // the same words again and again: the kept window is what compresses them
            String t = "message " + i + " of a chat that repeats itself " + "la ".repeat(i % 50);
            sent.add(WebSocketMessage.text(t));
            expected.add(t);
            byte[] b = new byte[r.nextInt(2000)];
            r.nextBytes(b);   // random bytes: deflate gains nothing, and they must still come back
            sent.add(WebSocketMessage.binary(ByteBuffer.wrap(b)));
            expected.add(b);
        }
        byte[] large = "0123456789abcdef".repeat(40_000).getBytes(StandardCharsets.US_ASCII);   // 640,000 B
        sent.add(WebSocketMessage.binary(ByteBuffer.wrap(large)));
        expected.add(large);
        sent.add(WebSocketMessage.text(""));
        expected.add("");
        List<Object> got = new ArrayList<>();
        List<String> agreed = new ArrayList<>();
        client(s).websocket().uri("/").spec(spec).handle(ws -> {
            agreed.add(ws.handshakeHeaders().get("Sec-WebSocket-Extensions").orElse("(none)"));
            return ws.send(Flux.fromIterable(sent))
                    .thenMany(ws.receive().take(sent.size()))
                    .doOnNext(m -> got.add(m.type() == WebSocketMessage.Type.TEXT ? m.text() : WebSocketClientContract.bytes(m.payload())))
                    .then();
        }).block(VERIFY);
        assertThat(agreed).containsExactly("permessage-deflate");
        assertThat(got).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(got.get(i)).as("message %d", i).isEqualTo(expected.get(i));
        }
    }

    @Test
    void theServerAnswersTheOfferItCanHonourAndCompressesWhatItSends() throws Exception {
        DisposableServer s = bind((req, res) -> res.sendWebSocket(COMPRESS, ws -> ws.send(ws.receive())));
        // the first offer asks for a window the JDK's deflater cannot keep to: passed over for the second
        try (RawClient c = new RawClient(s.port(), "permessage-deflate; server_max_window_bits=10, "
                + "permessage-deflate; client_max_window_bits; server_no_context_takeover")) {
            assertThat(c.extensions).isEqualTo("permessage-deflate; server_no_context_takeover");
            Deflater mine = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            c.send(0x41, deflate(mine, "hello hello hello hello"));   // RSV1: compressed
            c.send(0x41, deflate(mine, "hello again, from the same window"));
            c.send(0x01, "plain".getBytes(StandardCharsets.UTF_8));     // a message may go uncompressed
            Inflater theirs = new Inflater(true);
            for (String want : List.of("hello hello hello hello", "hello again, from the same window", "plain")) {
                WebSocketClientWireContract.Frame f = c.read();
                assertThat(f.opcode()).isEqualTo(1);
                assertThat(f.rsv1()).as("the server's echo of \"%s\" is compressed", want).isTrue();
                assertThat(inflate(theirs, f.payload())).isEqualTo(want);
            }
        }
    }

    @Test
    void aServerThatDoesNotCompressAgreesToNoneAndRefusesRsv1() throws Exception {
        DisposableServer s = bind((req, res) -> res.sendWebSocket(ws -> ws.send(ws.receive())));
        try (RawClient c = new RawClient(s.port(), "permessage-deflate")) {
            assertThat(c.extensions).isNull();
            c.send(0x41, deflate(new Deflater(Deflater.DEFAULT_COMPRESSION, true), "hi"));
            WebSocketClientWireContract.Frame close = c.read();
            assertThat(close.opcode()).isEqualTo(8);
            assertThat((close.payload()[0] & 0xff) << 8 | close.payload()[1] & 0xff).isEqualTo(1002);
        }
    }

    @Test
    void aMessageThatInflatesPastTheLimitClosesWith1009AndTheServerLetsTheConnectionGo() {
        // a TCP close timeout far beyond the wait below: the server's graceful close must see the
        // client's FIN, though the failed WebSocket had stopped reading
        DisposableServer s = bind(server().tcp(t -> t.closeTimeout(Duration.ofSeconds(60)))
                .handle((req, res) -> res.sendWebSocket(COMPRESS, ws -> ws.send(ws.receive()))));
        Sinks.One<WebSocketClose> close = Sinks.one();
        byte[] zeros = new byte[1 << 20];   // 1 MiB of zeros deflates to about 1 KiB: under the limit on the wire
        client(s).websocket().uri("/").spec(COMPRESS.maxMessageSize(2 << 20)).handle(ws -> {
            ws.onClose().subscribe(close::tryEmitValue);
            return ws.send(Mono.just(WebSocketMessage.binary(ByteBuffer.wrap(zeros)))).then(ws.receive().then());
        }).onErrorResume(e -> Mono.empty()).block(VERIFY);
        assertThat(close.asMono().block(VERIFY).code()).isEqualTo(1009);
        await(() -> s.connections() == 0, "the server's connection closed after the 1009");
    }

    @Test
    void theClientCompressesAndInflatesAsItsServerAgreed() throws Exception {
        BlockingQueue<String> server = new LinkedBlockingQueue<>();
        ScriptedServer s = scripted((socket, n) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            accept101(in, out, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n");
            Inflater theirs = new Inflater(true);
            for (int i = 0; i < 2; i++) {
                WebSocketClientWireContract.Frame f = readFrame(in);
                server.add("rsv1=" + f.rsv1() + " " + inflate(theirs, f.payload()));
            }
            Deflater mine = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            out.write(frame(0x41, deflate(mine, "compressed by the server")));
            out.write(frame(0x41, deflate(mine, "compressed by the server, again")));
            out.flush();
            readFrame(in);   // the close
            out.write(frame(0x8, new byte[] {0x03, (byte) 0xe8}));
            out.flush();
        });
        List<String> got = new ArrayList<>();
        client(s.url()).websocket().uri("/").spec(COMPRESS).handle(ws -> ws.sendText(Flux.just("one one one", "two two"))
                .thenMany(ws.receive().take(2).map(WebSocketMessage::text)).doOnNext(got::add).then()).block(VERIFY);
        assertThat(server.poll(5, TimeUnit.SECONDS)).isEqualTo("rsv1=true one one one");
        // client_no_context_takeover: the client's deflater starts afresh, and a fresh inflater reads it
        assertThat(server.poll(5, TimeUnit.SECONDS)).isEqualTo("rsv1=true two two");
        assertThat(got).containsExactly("compressed by the server", "compressed by the server, again");
    }

    @Test
    void anAnswerTheClientDidNotOfferFailsTheHandshakeNamingIt() throws Exception {
        String[][] cases = {
                {"permessage-deflate; client_max_window_bits=10", "client_max_window_bits"},
                {"permessage-deflate; server_max_window_bits=20", "server_max_window_bits=20"},
                {"permessage-deflate, permessage-deflate", "more than once"},
                {"x-webkit-deflate-frame", "x-webkit-deflate-frame"},
        };
        for (String[] c : cases) {
            ScriptedServer s = scripted((socket, n) -> {
                accept101(socket.getInputStream(), socket.getOutputStream(), "Sec-WebSocket-Extensions: " + c[0] + "\r\n");
                Thread.sleep(5_000);
            });
            assertThatThrownBy(() -> client(s.url()).websocket().uri("/").spec(COMPRESS)
                    .handle(ws -> Mono.never()).block(VERIFY))
                    .isInstanceOfSatisfying(HttpClientException.class,
                            e -> assertThat(e.kind()).isEqualTo(HttpClientException.Kind.WEBSOCKET_HANDSHAKE))
                    .hasMessageContaining(c[1]);
        }
    }

    // ---- deflate as a peer does it, and a raw client ----

    /** A message deflated with a sync flush, its 00 00 ff ff tail left off (RFC 7692, 7.2.1). */
    static byte[] deflate(Deflater d, String text) {
        d.setInput(text.getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[text.length() + 64];
        int n = d.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
        return Arrays.copyOf(out, n - 4);
    }

    /** A compressed payload inflated with its tail put back. */
    static String inflate(Inflater i, byte[] payload) throws DataFormatException {
        byte[] in = Arrays.copyOf(payload, payload.length + 4);
        in[payload.length + 2] = (byte) 0xff;
        in[payload.length + 3] = (byte) 0xff;
        i.setInput(in);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[256];
        for (int n; (n = i.inflate(buf)) > 0 || !i.needsInput(); ) {
            out.write(buf, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A client on a blocking socket that offers {@code offer} and sends masked frames it builds by hand. */
    private static final class RawClient implements AutoCloseable {
        final Socket socket = new Socket();
        final String extensions;   // the 101's Sec-WebSocket-Extensions, or null
        private final DataInputStream in;

        RawClient(int port, String offer) throws IOException {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Extensions: " + offer + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            in = new DataInputStream(socket.getInputStream());
            String head = ScriptedServer.readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101 ");
            String found = null;
            for (String line : head.split("\r\n")) {
                if (line.regionMatches(true, 0, "Sec-WebSocket-Extensions:", 0, 25)) {
                    found = line.substring(25).trim();
                }
            }
            extensions = found;
        }

        /** A masked frame with FIN set; {@code b0}'s 0x40 is RSV1 (payloads under 126 bytes). */
        void send(int b0, byte[] payload) throws IOException {
            byte[] f = new byte[6 + payload.length];
            f[0] = (byte) (0x80 | b0);
            f[1] = (byte) (0x80 | payload.length);
            byte[] mask = {9, 8, 7, 6};
            System.arraycopy(mask, 0, f, 2, 4);
            for (int i = 0; i < payload.length; i++) {
                f[6 + i] = (byte) (payload[i] ^ mask[i & 3]);
            }
            socket.getOutputStream().write(f);
        }

        WebSocketClientWireContract.Frame read() throws IOException {
            return readFrame(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
