package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * Operators between UTF-8 byte streams and Strings.
 * <pre>{@code
 * Flux<String> commands = Strings.lines(conn.inbound(), 8192);
 * }</pre>
 *
 * <p><b>Threading.</b> The operators run on whatever thread signals them, usually the connection's
 * port thread; {@code request} and {@code cancel} may come from any thread. They never block.
 *
 * <p><b>Buffers.</b> Input buffers are only read: their position, limit and content are left as
 * they were, so the caller may still own them. Every emitted buffer is a fresh heap buffer with
 * position 0 and capacity equal to remaining, owned by the subscriber for good.
 *
 * <p><b>Lifecycle.</b> Every method is lazy and each subscription gets its own decoding state.
 * Decoders ask their input for one buffer at a time, and only when the subscriber wants a value
 * and none is waiting; they never emit more than requested. Cancelling cancels the input.
 */
public final class Strings {

    private Strings() {
    }

    /**
     * Decodes a UTF-8 byte stream cut anywhere: a character split over two, three or four buffers
     * decodes as if it had arrived whole. Emits one String per input buffer that completes at least
     * one character; a buffer that completes none emits nothing. Malformed bytes, and a character
     * cut by the end of the stream, become U+FFFD exactly as {@code new String(bytes, UTF_8)} would
     * make them for the whole stream; the replacement for a cut final character is emitted at
     * completion.
     *
     * @param in the byte stream, usually a connection's inbound
     * @return the text, in pieces that follow the input's buffers
     * @throws NullPointerException if {@code in} is null
     */
    public static Flux<String> decodeUtf8(Publisher<ByteBuffer> in) {
        Objects.requireNonNull(in, "in");
        return new DecodingFlux<>(in, Utf8Decoder::new);
    }

    /**
     * Encodes each CharSequence as UTF-8 into a fresh heap buffer, one buffer per sequence (an
     * empty sequence gives an empty buffer). An unpaired surrogate becomes {@code '?'}, as
     * {@link String#getBytes(java.nio.charset.Charset)} makes it.
     *
     * @param in the text
     * @return the encoded text, one fresh heap buffer per sequence
     * @throws NullPointerException if {@code in} is null
     */
    public static Flux<ByteBuffer> encodeUtf8(Publisher<? extends CharSequence> in) {
        Objects.requireNonNull(in, "in");
        return Flux.from(in).map(text -> ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Cuts a UTF-8 byte stream into lines as {@link Frames#decodeLines} does and decodes each line
     * on its own, as {@code new String(line, UTF_8)}: an empty line is an empty String, and a
     * character cut by a line's end becomes U+FFFD in that line, never joined with the next.
     * Over-long lines fail as in {@link Frames#decodeLines}.
     *
     * @param in the byte stream, usually a connection's inbound
     * @param maxLineLength the longest line accepted, in bytes (not chars), at least 1
     * @return the lines without their delimiters
     * @throws NullPointerException if {@code in} is null
     * @throws IllegalArgumentException if {@code maxLineLength < 1}
     */
    public static Flux<String> lines(Publisher<ByteBuffer> in, int maxLineLength) {
        return Frames.decodeLines(in, maxLineLength).map(Strings::utf8);
    }

    // The lines are decodeLines' own fresh heap buffers, so their array is there to read.
    private static String utf8(ByteBuffer line) {
        return new String(line.array(), line.arrayOffset() + line.position(), line.remaining(),
                StandardCharsets.UTF_8);
    }
}
