package io.flowsock.http;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * RFC 6455 framing for both sides: a decoder that joins fragments into whole messages, of client
 * frames (masked, as the RFC requires) on the server and of server frames (never masked) on the
 * client, and the encoders of unmasked server frames and masked client frames.
 *
 * <p>The framing is fourteen bytes of header at most; a general-purpose library would bring an
 * event model and buffer pools of its own to a loop that already has both, so the decoder is a
 * small state machine that copies (and unmasks) each payload byte once, into the buffer the
 * receiver is then given for good.
 *
 * <p>Confined to one connection's serial loop.
 */
final class WebSocketFrames {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** A payload up to this size is copied behind its header into one buffer; a larger one goes as it is. */
    static final int COPY_LIMIT = 16 * 1024;

    /** What {@link Decoder#next} found: a whole message or control frame, with its opcode. */
    record Frame(int opcode, ByteBuffer payload) { }

    private WebSocketFrames() {
    }

    /** The {@code Sec-WebSocket-Accept} value for a client's {@code Sec-WebSocket-Key}. */
    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }

    /** Whether {@code key} is what RFC 6455 asks for: 16 bytes, base64-encoded. */
    static boolean validKey(String key) {
        try {
            return key.length() == 24 && Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The wire form of one unmasked frame with FIN set: one buffer, or a header and the payload as it is. */
    static ByteBuffer[] encode(int opcode, ByteBuffer payload) {
        int n = payload.remaining();
        int headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
        boolean copy = n <= COPY_LIMIT;
        ByteBuffer out = ByteBuffer.allocate(headerLength + (copy ? n : 0));
        out.put((byte) (0x80 | opcode));
        if (n < 126) {
            out.put((byte) n);
        } else if (n < 65_536) {
            out.put((byte) 126).putShort((short) n);
        } else {
            out.put((byte) 127).putLong(n);
        }
        if (copy) {
            out.put(payload.duplicate());
            return new ByteBuffer[] {out.flip()};
        }
        return new ByteBuffer[] {out.flip(), payload};
    }

    /**
     * The wire form of one client frame with FIN set, masked with {@code key} (RFC 6455, 5.3): one
     * buffer, the payload copied behind the header as it is masked, since the caller's buffer is
     * never written to.
     */
    static ByteBuffer encodeMasked(int opcode, ByteBuffer payload, int key) {
        int n = payload.remaining();
        int headerLength = (n < 126 ? 2 : n < 65_536 ? 4 : 10) + 4;
        ByteBuffer out = ByteBuffer.allocate(headerLength + n);
        out.put((byte) (0x80 | opcode));
        if (n < 126) {
            out.put((byte) (0x80 | n));
        } else if (n < 65_536) {
            out.put((byte) (0x80 | 126)).putShort((short) n);
        } else {
            out.put((byte) (0x80 | 127)).putLong(n);
        }
        out.putInt(key);
        long k8 = ((long) key << 32) | (key & 0xffffffffL);
        boolean swap = payload.order() != ByteOrder.BIG_ENDIAN;
        int p = payload.position();
        int t = out.position();
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long v = payload.getLong(p + i);
            out.putLong(t + i, (swap ? Long.reverseBytes(v) : v) ^ k8);
        }
        for (; i < n; i++) {
            out.put(t + i, (byte) (payload.get(p + i) ^ (key >>> (24 - 8 * (i & 3)))));
        }
        return out.position(0).limit(headerLength + n);
    }

    /** A close frame's payload: the code, then the reason as UTF-8 (at most 123 bytes). */
    static ByteBuffer closePayload(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        if (text.length > 123) {
            throw new IllegalArgumentException("a close reason is at most 123 bytes of UTF-8, was " + text.length);
        }
        return ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text).flip();
    }

    /** Decodes a peer's frames into whole messages and control frames. */
    static final class Decoder {
        private final int maxMessage;
        private final boolean masked;   // the peer is a client: every frame masked; a server: none
        private CharsetDecoder utf8;   // made at the first text message: an idle WebSocket holds none
        private final byte[] header = new byte[14];
        private int have;           // header bytes gathered for the frame being read
        private boolean inPayload;
        private int opcode;
        private boolean fin;
        private long remaining;     // payload bytes of this frame still to come
        private int maskAt;         // index of the mask byte for the next payload byte
        private final byte[] mask = new byte[4];
        private ByteBuffer target;  // where this frame's payload goes: the message, or the control frame's own
        private ByteBuffer message; // a data message being joined, or null
        private int messageOpcode;
        private boolean messageCompressed; // RSV1 on the message's first frame
        private final PerMessageDeflate deflate;   // the extension agreed, or null

        /** A server's decoder: the frames of a client, every one masked. */
        Decoder(int maxMessage) {
            this(maxMessage, true);
        }

        /** {@code masked}: the peer is a client, whose every frame is masked; else a server, whose none is. */
        Decoder(int maxMessage, boolean masked) {
            this(maxMessage, masked, null);
        }

        /** {@code deflate}: permessage-deflate was agreed, and a message whose first frame has RSV1 is inflated. */
        Decoder(int maxMessage, boolean masked, PerMessageDeflate deflate) {
            this.maxMessage = maxMessage;
            this.masked = masked;
            this.deflate = deflate;
        }

        /** permessage-deflate as agreed, or null. */
        PerMessageDeflate deflate() {
            return deflate;
        }

        /** Whether a data message is begun and not ended, or a frame is half read. */
        boolean midFrame() {
            return have > 0 || inPayload || message != null;
        }

        /**
         * Reads from {@code in} up to the end of the next whole message or control frame; null
         * when {@code in} ran out first (what it had is kept).
         *
         * @throws WebSocketException with the close code, for a frame that breaks the RFC or the limit
         */
        Frame next(ByteBuffer in) {
            while (in.hasRemaining()) {
                if (!inPayload) {
                    if (!header(in)) {
                        return null;
                    }
                    if (remaining == 0) {
                        Frame f = frameEnd();
                        if (f != null) {
                            return f;
                        }
                    }
                    continue;
                }
                int n = (int) Math.min(remaining, in.remaining());
                unmask(in, n);
                remaining -= n;
                if (remaining == 0) {
                    Frame f = frameEnd();
                    if (f != null) {
                        return f;
                    }
                }
            }
            return null;
        }

        /** Copies {@code n} bytes of {@code in} into the target, unmasked: eight at a time, then the rest. */
        private void unmask(ByteBuffer in, int n) {
            int p = in.position();
            if (!masked) {
                target.put(in.slice(p, n));
                in.position(p + n);
                return;
            }
            int t = target.position();
            byte[] m = mask;
            int k = maskAt;
            long m8 = 0;   // the mask from byte k on, eight bytes of it, in the buffers' (big-endian) order
            for (int j = 0; j < 8; j++) {
                m8 = (m8 << 8) | (m[(k + j) & 3] & 0xff);
            }
            boolean swap = in.order() != ByteOrder.BIG_ENDIAN;   // the target is a fresh heap buffer: big-endian
            int i = 0;
            for (; i + 8 <= n; i += 8) {   // eight bytes keep k's place in the mask: m8 serves every step
                long v = in.getLong(p + i);
                target.putLong(t + i, (swap ? Long.reverseBytes(v) : v) ^ m8);
            }
            for (; i < n; i++) {
                target.put(t + i, (byte) (in.get(p + i) ^ m[(k + i) & 3]));
            }
            in.position(p + n);
            target.position(t + n);
            maskAt = (k + n) & 3;
        }

        /** Gathers the header; true once it is whole and the frame is checked and set up. */
        private boolean header(ByteBuffer in) {
            while (have < 2 && in.hasRemaining()) {
                header[have++] = in.get();
            }
            if (have < 2) {
                return false;
            }
            int len7 = header[1] & 0x7f;
            int need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
            if (have == 2) {
                checkFirstBytes(len7);
            }
            while (have < need && in.hasRemaining()) {
                header[have++] = in.get();
            }
            if (have < need) {
                return false;
            }
            long length = len7;
            int at = 2;
            if (len7 == 126) {
                length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
                at = 4;
            } else if (len7 == 127) {
                length = 0;
                for (int i = 2; i < 10; i++) {
                    length = (length << 8) | (header[i] & 0xff);
                }
                if (length < 0) {
                    throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR, "a frame length has its top bit set");
                }
                at = 10;
            }
            if (masked) {
                System.arraycopy(header, at, mask, 0, 4);
            }
            maskAt = 0;
            have = 0;
            remaining = length;
            inPayload = true;
            if (opcode >= CLOSE) {
                target = ByteBuffer.allocate((int) length);   // at most 125, checked above
            } else {
                long total = (message == null ? 0 : message.position()) + length;
                if (total > maxMessage) {
                    throw new WebSocketException(WebSocketClose.TOO_BIG, "a message of more than " + maxMessage
                            + " bytes (" + total + " so far) arrived; the limit is WebSocketSpec.maxMessageSize");
                }
                if (message == null) {
                    message = ByteBuffer.allocate((int) length);
                    messageOpcode = opcode;
                    messageCompressed = (header[0] & PerMessageDeflate.RSV1) != 0;
                } else if (message.remaining() < length) {
                    int size = (int) Math.min(maxMessage, Math.max(total, 2L * message.capacity()));
                    message = ByteBuffer.allocate(size).put(message.flip());
                }
                target = message;
            }
            return true;
        }

        private void checkFirstBytes(int len7) {
            int b0 = header[0] & 0xff;
            fin = (b0 & 0x80) != 0;
            opcode = b0 & 0x0f;
            boolean rsv1 = (b0 & PerMessageDeflate.RSV1) != 0;
            int reserved = b0 & (deflate == null ? 0x70 : 0x30);
            if (reserved != 0) {
                throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR, "a frame has reserved bits set (0x"
                        + Integer.toHexString(reserved) + ") that no extension agreed gives a meaning");
            }
            if (rsv1 && opcode != TEXT && opcode != BINARY) {   // RFC 7692, 6: only a message's first frame
                throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR,
                        "RSV1 is set on a frame that begins no message (opcode 0x" + Integer.toHexString(opcode) + ")");
            }
            if ((header[1] & 0x80) == 0 && masked) {
                throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR, "a client frame is not masked (RFC 6455, 5.1)");
            }
            if ((header[1] & 0x80) != 0 && !masked) {
                throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR, "a server frame is masked (RFC 6455, 5.1)");
            }
            switch (opcode) {
                case CONTINUATION -> {
                    if (message == null) {
                        throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR, "a continuation frame began no message");
                    }
                }
                case TEXT, BINARY -> {
                    if (message != null) {
                        throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR,
                                "a new message began before the fragmented one ended");
                    }
                }
                case CLOSE, PING, PONG -> {
                    if (!fin) {
                        throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR, "a control frame is fragmented");
                    }
                    if (len7 > 125) {
                        throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR, "a control frame is longer than 125 bytes");
                    }
                }
                default -> throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR,
                        "a frame has the unknown opcode 0x" + Integer.toHexString(opcode));
            }
        }

        /** The frame's payload is in: a control frame or a final fragment ends here. */
        private Frame frameEnd() {
            inPayload = false;
            ByteBuffer t = target;
            target = null;
            if (opcode >= CLOSE) {
                return new Frame(opcode, t.flip());
            }
            if (!fin) {
                return null;
            }
            ByteBuffer m = message.flip();
            message = null;
            if (messageCompressed) {
                m = deflate.decompress(m, maxMessage);
            }
            if (messageOpcode == TEXT) {
                try {
                    if (utf8 == null) {
                        utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                                .onUnmappableCharacter(CodingErrorAction.REPORT);
                    }
                    utf8.reset().decode(m.duplicate());
                } catch (CharacterCodingException e) {
                    throw new WebSocketException(WebSocketClose.INVALID_PAYLOAD, "a text message is not valid UTF-8");
                }
            }
            return new Frame(messageOpcode, m);
        }
    }

    /** A close frame's status and reason; a payload of one byte, a code that may not be sent or a reason not in UTF-8 is a protocol error. */
    static WebSocketClose closeOf(ByteBuffer payload) {
        if (payload.remaining() == 0) {
            return new WebSocketClose(WebSocketClose.NO_STATUS, "");
        }
        if (payload.remaining() == 1) {
            throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR, "a close frame has a one-byte payload");
        }
        int code = payload.getShort(payload.position()) & 0xffff;
        if (!WebSocketClose.sendable(code)) {
            throw new WebSocketException(WebSocketClose.PROTOCOL_ERROR, "a close frame has the status code " + code
                    + ", which may not be sent (RFC 6455, 7.4)");
        }
        try {
            CharBuffer reason = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(payload.duplicate().position(payload.position() + 2));
            return new WebSocketClose(code, reason.toString());
        } catch (CharacterCodingException e) {
            throw new WebSocketException(WebSocketClose.INVALID_PAYLOAD, "a close frame's reason is not valid UTF-8");
        }
    }
}
