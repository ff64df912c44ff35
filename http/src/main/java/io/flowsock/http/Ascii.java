package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A growable byte array that a response head is written into, one Latin-1 byte per char (header
 * values are checked to hold nothing above U+00FF). Cheaper than a StringBuilder and a charset
 * encoder: one pass, no intermediate String.
 *
 * <p>Confined to the thread that builds one head.
 */
final class Ascii {
    private byte[] bytes;
    private int length;

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    Ascii(int capacity) {
        bytes = new byte[capacity];
    }

    Ascii append(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length + i] = (byte) s.charAt(i);   // Latin-1, which the header checks guarantee
        }
        length += n;
        return this;
    }

    Ascii append(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, length, b.length);
        length += b.length;
        return this;
    }

    Ascii append(long n) {
        return append(Long.toString(n));
    }

    /** Appends {@code n} (>= 0) in lower-case hex, as a chunk size is written, without a String between. */
    Ascii appendHex(long n) {
        int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(n)) / 4);
        ensure(digits);
        for (int i = length + digits - 1; i >= length; i--) {
            bytes[i] = HEX[(int) (n & 15)];
            n >>>= 4;
        }
        length += digits;
        return this;
    }

    Ascii crlf() {
        ensure(2);
        bytes[length++] = '\r';
        bytes[length++] = '\n';
        return this;
    }

    /** Appends what {@code b} holds from its position, leaving {@code b} as it was. */
    Ascii append(ByteBuffer b) {
        int n = b.remaining();
        ensure(n);
        b.duplicate().get(bytes, length, n);
        length += n;
        return this;
    }

    int length() {
        return length;
    }

    ByteBuffer toBuffer() {
        return ByteBuffer.wrap(bytes, 0, length);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
