package io.flowsock.benchmarks.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * ws-echo-deflate's connection: one message in flight, a JSON-like text of {@code size} bytes
 * carrying its sequence number, compressed with permessage-deflate (RFC 7692: a raw deflate stream
 * kept from message to message, each message ended by a sync flush whose 00 00 ff ff is left off)
 * and masked; the echo must come back compressed (RSV1 set), and it is inflated and checked byte
 * for byte. Each side's window is kept, as both servers keep theirs by default.
 */
final class WebSocketDeflatePeer extends PingPong16Load.Peer {
    static final String OFFER = "permessage-deflate";
    private static final byte[] MASK = {0x12, 0x34, 0x56, 0x78};
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};
    private static final int SEQ_AT = 8;   // {"seq":"<16 hex digits>", ...

    private final byte[] message;
    private final byte[] compressed;
    private final byte[] inflated;
    // the load's own compression at zlib's fastest level: its CPU is not the server's, and it keeps the
    // load from becoming the limit before the servers do
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
    private final Inflater inflater = new Inflater(true);

    WebSocketDeflatePeer(SocketChannel ch, int id, int size) {
        super(ch, 14 + 2 * size + 64, 14 + 2 * size + 64);
        message = message(id, size);
        compressed = new byte[2 * size + 64];
        inflated = new byte[size + 1];
    }

    /** {"seq":"…","user":"user-7","text":"…"} padded with words to {@code size} bytes. */
    private static byte[] message(int id, int size) {
        StringBuilder b = new StringBuilder("{\"seq\":\"0000000000000000\",\"user\":\"user-" + id + "\",\"text\":\"");
        String words = "the quick brown fox jumps over the lazy dog and keeps running ";
        for (int i = 0; b.length() < size - 2; i++) {
            b.append(words.charAt(i % words.length()));
        }
        b.setLength(Math.max(b.length(), size - 2));
        return (b.append("\"}").substring(0, size)).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    void prepare(long seq) {
        byte[] hex = String.format("%016x", seq).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, message, SEQ_AT, 16);
        deflater.setInput(message);
        int n = deflater.deflate(compressed, 0, compressed.length, Deflater.SYNC_FLUSH);
        if (n == compressed.length) {
            throw new IllegalStateException("a compressed message over " + compressed.length + " bytes");
        }
        n -= 4;   // the sync flush's tail
        out.clear();
        out.put((byte) 0xC2);   // FIN, RSV1 (compressed), binary
        if (n < 126) {
            out.put((byte) (0x80 | n));
        } else {
            out.put((byte) (0x80 | 126)).putShort((short) n);
        }
        out.put(MASK);
        for (int i = 0; i < n; i++) {
            out.put((byte) (compressed[i] ^ MASK[i & 3]));
        }
        out.flip();
    }

    /** Whole once the header's length is in and that many payload bytes after it. */
    @Override
    boolean answered() {
        int have = in.position();
        if (have < 2) {
            return false;
        }
        int len7 = in.get(1) & 0x7f;
        int header = len7 == 126 ? 4 : 2;
        if (have < header) {
            return false;
        }
        int length = len7 == 126 ? in.getShort(2) & 0xffff : len7;
        return have >= header + length;
    }

    @Override
    void check() throws IOException {
        int len7 = in.get(1) & 0x7f;
        int header = len7 == 126 ? 4 : 2;
        int length = len7 == 126 ? in.getShort(2) & 0xffff : len7;
        if ((in.get(0) & 0xff) != 0xC2 || (in.get(1) & 0x80) != 0 || in.position() != header + length) {
            throw new IOException("the echo is not one compressed binary frame on " + ch.getLocalAddress()
                    + " (first byte 0x" + Integer.toHexString(in.get(0) & 0xff) + ")");
        }
        try {
            inflater.setInput(in.array(), header, length);
            int n = inflater.inflate(inflated);
            inflater.setInput(TAIL);
            n += inflater.inflate(inflated, n, inflated.length - n);
            if (!Arrays.equals(inflated, 0, n, message, 0, message.length)) {
                throw new IOException("the echo inflates to something else than the message sent on " + ch.getLocalAddress());
            }
        } catch (DataFormatException e) {
            throw new IOException("the echo is no deflate data: " + e.getMessage(), e);
        }
    }
}
