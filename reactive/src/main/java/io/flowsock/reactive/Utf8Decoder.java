package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Decodes UTF-8 fed in pieces cut anywhere, one String per piece that completes characters.
 * Malformed bytes, and a character cut by the end of the stream, become U+FFFD as
 * {@code new String(bytes, UTF_8)} would make them for the whole stream: the JDK's decoder
 * underflows on a sequence that is valid so far, and this class hands it those bytes again, joined
 * with the next buffer's first bytes, so it judges every sequence on the same bytes either way.
 */
final class Utf8Decoder implements ByteDecoder<String> {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    // The first bytes of a character cut by the previous buffer's end (at most 3), in write mode.
    private final ByteBuffer carry = ByteBuffer.allocate(4);

    @Override
    public void decode(ByteBuffer in, Consumer<? super String> out) {
        ByteBuffer bytes = in.duplicate();
        // UTF-8 never makes more chars than bytes, so this rarely grows
        CharBuffer chars = CharBuffer.allocate(carry.position() + bytes.remaining());
        // Finish the cut character a byte at a time: at most 3 rounds, then decode in bulk.
        while (carry.position() > 0 && bytes.hasRemaining()) {
            carry.put(bytes.get()).flip();
            chars = decode(carry, chars, false);
            carry.compact();
        }
        if (carry.position() == 0) {
            chars = decode(bytes, chars, false);
            carry.put(bytes);
        }
        emit(chars, out);
    }

    @Override
    public void finish(Consumer<? super String> out) {
        carry.flip();
        CharBuffer chars = decode(carry, CharBuffer.allocate(carry.remaining() + 1), true);
        while (decoder.flush(chars).isOverflow()) {
            chars = grow(chars);
        }
        emit(chars, out);
    }

    private CharBuffer decode(ByteBuffer bytes, CharBuffer chars, boolean endOfInput) {
        CharBuffer into = chars;
        // with REPLACE actions the result is only ever underflow or overflow
        while (decoder.decode(bytes, into, endOfInput).isOverflow()) {
            into = grow(into);
        }
        return into;
    }

    private static CharBuffer grow(CharBuffer chars) {
        CharBuffer bigger = CharBuffer.allocate(chars.capacity() * 2 + 2);
        return bigger.put(chars.flip());
    }

    private static void emit(CharBuffer chars, Consumer<? super String> out) {
        chars.flip();
        if (chars.hasRemaining()) {
            out.accept(chars.toString());
        }
    }
}
