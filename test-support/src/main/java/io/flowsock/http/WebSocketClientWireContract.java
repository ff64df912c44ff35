package io.flowsock.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The WebSocket client of {@link HttpClient#websocket()} for one backend, where the bytes on the
 * wire are the point: against scripted servers on blocking sockets that frame by hand (the
 * client's frames are masked, a ping is answered, the client waits for the server's TCP close and
 * cuts off one that never closes, a masked server frame, frames in the 101's read, bad 101s).
 */
public abstract class WebSocketClientWireContract extends HttpClientFixture {

    @Test
    void framesAreMaskedPingsAnsweredAndTheClientWaitsForTheServerToCloseTcp() throws Exception {
        BlockingQueue<String> server = new LinkedBlockingQueue<>();
        AtomicLong serverClosedAt = new AtomicLong();
        ScriptedServer s = scripted((socket, n) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            accept101(in, out, "");
            Frame f = readFrame(in);
            server.add("masked=" + f.masked + " " + f.opcode + ":" + new String(f.payload, StandardCharsets.UTF_8));
            out.write(frame(0x9, "are you there".getBytes(StandardCharsets.UTF_8)));   // a ping
            Frame pong = readFrame(in);
            server.add("masked=" + pong.masked + " " + pong.opcode + ":" + new String(pong.payload, StandardCharsets.UTF_8));
            out.write(frame(0x1, ("got " + new String(f.payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
            Frame close = readFrame(in);
            server.add("close " + close.opcode + ":" + ((close.payload[0] & 0xff) << 8 | close.payload[1] & 0xff));
            out.write(frame(0x8, new byte[] {0x03, (byte) 0xe8}));
            out.flush();
            Thread.sleep(500);   // the client must wait for this side to close the TCP connection
            serverClosedAt.set(System.nanoTime());
            socket.close();
        });
        HttpClient c = client(s.url());
        List<String> got = new ArrayList<>();
        c.websocket().uri("/").handle(ws -> ws.sendText(Mono.just("hello"))
                .thenMany(ws.receive().take(1).map(WebSocketMessage::text)).doOnNext(got::add).then()).block(VERIFY);
        long endedAt = System.nanoTime();
        assertThat(got).containsExactly("got hello");
        assertThat(server.poll(5, TimeUnit.SECONDS)).isEqualTo("masked=true 1:hello");
        assertThat(server.poll(5, TimeUnit.SECONDS)).isEqualTo("masked=true 10:are you there");
        assertThat(server.poll(5, TimeUnit.SECONDS)).isEqualTo("close 8:1000");
        assertThat(serverClosedAt.get()).isPositive();
        assertThat(endedAt).isGreaterThanOrEqualTo(serverClosedAt.get());
    }

    @Test
    void aServerThatNeverClosesTcpIsCutOffAfterTheCloseTimeout() throws Exception {
        ScriptedServer s = scripted((socket, n) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            accept101(in, out, "");
            readFrame(in);                                          // the client's close
            out.write(frame(0x8, new byte[] {0x03, (byte) 0xe8}));  // answered, then silence
            out.flush();
            Thread.sleep(30_000);
        });
        long t0 = System.nanoTime();
        client(s.url()).websocket().uri("/").spec(WebSocketSpec.defaults().closeTimeout(Duration.ofMillis(300)))
                .handle(ws -> Mono.empty()).block(VERIFY);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aMaskedServerFrameIsAProtocolError() throws Exception {
        BlockingQueue<Integer> closeCodes = new LinkedBlockingQueue<>();
        ScriptedServer s = scripted((socket, n) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            accept101(in, out, "");
            out.write(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2});   // masked, from a server
            out.flush();
            Frame close = readFrame(in);
            closeCodes.add((close.payload[0] & 0xff) << 8 | close.payload[1] & 0xff);
        });
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client(s.url()).websocket().uri("/")
                .handle(ws -> ws.receive().then()).block(VERIFY))
                .isInstanceOfSatisfying(WebSocketException.class, e -> assertThat(e.closeCode()).isEqualTo(1002))
                .hasMessageContaining("masked");
        assertThat(closeCodes.poll(5, TimeUnit.SECONDS)).isEqualTo(1002);
        // the scripted server closes once it has the close frame: the client reads that FIN, rather
        // than waiting out the TCP close timeout (10 s) with no read posted
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void framesThatCameWithThe101AreNotLost() throws Exception {
        ScriptedServer s = scripted((socket, n) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.write(answer(in, ""));
            both.write(frame(0x1, "first".getBytes(StandardCharsets.UTF_8)));
            both.write(frame(0x1, "second".getBytes(StandardCharsets.UTF_8)));
            out.write(both.toByteArray());   // one write: the head and two frames in one read
            out.flush();
            readFrame(in);
            out.write(frame(0x8, new byte[] {0x03, (byte) 0xe8}));
            out.flush();
        });
        List<String> got = client(s.url()).websocket().uri("/")
                .handle(ws -> ws.receive().take(2).map(WebSocketMessage::text).doOnNext(t -> seen.add(t)).then())
                .then(Mono.fromSupplier(() -> seen)).block(VERIFY);
        assertThat(got).containsExactly("first", "second");
    }

    private final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void a101ThatBreaksTheHandshakeFailsNamingWhat() throws Exception {
        String[][] cases = {
                {"Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n", "Sec-WebSocket-Accept"},
                {"Sec-WebSocket-Protocol: mqtt\r\n", "mqtt"},
                {"Sec-WebSocket-Extensions: permessage-deflate\r\n", "permessage-deflate"},
        };
        for (String[] c : cases) {
            ScriptedServer s = scripted((socket, n) -> {
                accept101(socket.getInputStream(), socket.getOutputStream(), c[0]);
                Thread.sleep(5_000);
            });
            assertThatThrownBy(() -> client(s.url()).websocket().uri("/").subprotocols(List.of("chat"))
                    .handle(ws -> Mono.never()).block(VERIFY))
                    .isInstanceOfSatisfying(HttpClientException.class,
                            e -> assertThat(e.kind()).isEqualTo(HttpClientException.Kind.WEBSOCKET_HANDSHAKE))
                    .hasMessageContaining(c[1]);
        }
    }

    // ---- the scripted server's framing, by hand ----

    /** A frame as read: its opcode, whether it was masked, its payload unmasked, and its RSV1 bit. */
    record Frame(int opcode, boolean masked, byte[] payload, boolean rsv1) { }

    /** Reads the handshake and answers 101 with the right accept, plus {@code extra} header lines. */
    static void accept101(InputStream in, OutputStream out, String extra) throws Exception {
        out.write(answer(in, extra));
        out.flush();
    }

    static byte[] answer(InputStream in, String extra) throws Exception {
        String head = ScriptedServer.readHead(in);
        if (head.isEmpty()) {
            throw new IOException("the client closed before its handshake was whole");
        }
        String key = null;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        if (extra.startsWith("Sec-WebSocket-Accept")) {
            accept = null;
        }
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + (accept == null ? "" : "Sec-WebSocket-Accept: " + accept + "\r\n") + extra + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** An unmasked frame with FIN set, as a server sends it (payloads under 126 bytes; 0x40 in opcode sets RSV1). */
    static byte[] frame(int opcode, byte[] payload) {
        byte[] f = new byte[2 + payload.length];
        f[0] = (byte) (0x80 | opcode);
        f[1] = (byte) payload.length;
        System.arraycopy(payload, 0, f, 2, payload.length);
        return f;
    }

    /** One frame as the client sent it, unmasked here. */
    static Frame readFrame(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        boolean masked = (b1 & 0x80) != 0;
        byte[] mask = new byte[4];
        if (masked) {
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame(b0 & 0x0f, masked, payload, (b0 & 0x40) != 0);
    }
}
