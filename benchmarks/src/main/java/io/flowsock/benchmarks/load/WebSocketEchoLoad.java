package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import io.flowsock.benchmarks.server.HttpRoutes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * ws-echo: pingpong16 over WebSocket. {@code connections} connections each upgrade with a
 * handshake to {@value HttpRoutes#WS_PATH} (the 101 and its accept value checked), then keep one
 * masked binary message of {@code size} bytes in flight, each carrying its sequence number; every
 * echo is checked byte for byte, header included. {@link PingPong16Load#drive} runs the round
 * trips: {@code warmup}, MARK begin, {@code round_trips} across the connections, MARK end.
 */
final class WebSocketEchoLoad {
    /** RFC 6455's example key and the accept value it must get. */
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    private static final byte[] MASK = {0x12, 0x34, 0x56, 0x78};

    private WebSocketEchoLoad() {
    }

    /** One connection's message in flight: a masked frame out, the same payload unmasked back. */
    static final class Frame extends PingPong16Load.Peer implements AutoCloseable {
        final byte[] payload;
        final int headerLength;

        Frame(SocketChannel ch, int id, int size) {
            super(ch, header(size) + 4 + size, header(size) + size);
            payload = new byte[size];
            Arrays.fill(payload, (byte) ('a' + id % 26));
            headerLength = header(size);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }

        static int header(int size) {
            return size < 126 ? 2 : 4;
        }

        @Override
        void prepare(long seq) {
            ByteBuffer.wrap(payload).putLong(0, seq);
            out.clear();
            out.put((byte) 0x82);   // FIN, binary
            if (headerLength == 2) {
                out.put((byte) (0x80 | payload.length));
            } else {
                out.put((byte) (0x80 | 126)).putShort((short) payload.length);
            }
            out.put(MASK);
            for (int i = 0; i < payload.length; i++) {
                out.put((byte) (payload[i] ^ MASK[i & 3]));
            }
            out.flip();
        }

        @Override
        void check() throws IOException {
            byte[] got = in.array();
            if ((got[0] & 0xff) != 0x82 || (got[1] & 0x80) != 0
                    || !Arrays.equals(got, headerLength, got.length, payload, 0, payload.length)) {
                throw new IOException("the echo differs from the message sent on " + ch.getLocalAddress());
            }
        }
    }

    static Metrics run(InetSocketAddress server, Params p) throws IOException {
        int connections = p.integer("connections");
        int size = p.integer("size");
        if (size < 8 || size > 65_535) {
            throw new IllegalArgumentException("size must be 8..65535 bytes, was " + size);
        }
        boolean deflate = p.num("deflate", 0) != 0;
        List<PingPong16Load.Peer> peers = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open(server);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (deflate) {
                    handshake(ch, HttpRoutes.WS_DEFLATE_PATH, WebSocketDeflatePeer.OFFER);
                    peers.add(new WebSocketDeflatePeer(ch, i, size));
                } else {
                    handshake(ch, HttpRoutes.WS_PATH, null);
                    peers.add(new Frame(ch, i, size));
                }
            }
            return PingPong16Load.drive(peers, p);
        } finally {
            for (PingPong16Load.Peer peer : peers) {
                peer.ch.close();
            }
        }
    }

    /** The upgrade of ws-echo, blocking; see {@link #handshake(SocketChannel, String, String)}. */
    static void handshake(SocketChannel ch) throws IOException {
        handshake(ch, HttpRoutes.WS_PATH, null);
    }

    /**
     * The upgrade, blocking: the request, then the response head up to its blank line, checked;
     * with {@code extension} offered, the 101 must agree to exactly it (a contender that answers
     * without it would be measured uncompressed).
     */
    static void handshake(SocketChannel ch, String path, String extension) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + Protocol.HOST + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                + (extension == null ? "" : "Sec-WebSocket-Extensions: " + extension + "\r\n") + "\r\n";
        ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) {
            ch.write(out);
        }
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {   // byte by byte: no frame byte may be read past the head
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("the server closed the connection during the handshake: " + head);
            }
            head.append((char) one.get(0));
            if (head.length() > 4096) {
                throw new IOException("a handshake response head over 4 KiB");
            }
        }
        String h = head.toString();
        if (!h.startsWith("HTTP/1.1 101")
                || !h.toLowerCase(Locale.ROOT).contains("sec-websocket-accept: " + ACCEPT.toLowerCase(Locale.ROOT))) {
            throw new IOException("not a WebSocket upgrade: " + h.strip());
        }
        if (extension != null && !h.toLowerCase(Locale.ROOT).contains("sec-websocket-extensions: " + extension + "\r\n")) {
            throw new IOException("the server did not agree to " + extension + ": " + h.strip());
        }
    }
}
