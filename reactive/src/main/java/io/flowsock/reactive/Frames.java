package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.util.Objects;

import io.flowsock.core.FlowsockException;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * Operators that cut a connection's byte stream into frames and turn frames back into a byte
 * stream: lines ending in {@code '\n'}, and bodies preceded by a big-endian length.
 * <pre>{@code
 * conn.send(Frames.encodeLines(Frames.decodeLines(conn.inbound(), 8192), 8192))   // line echo
 * }</pre>
 * Where TCP cut the stream does not matter: a frame may arrive in any number of buffers, down to
 * one byte each, and the decoded frames are the same.
 *
 * <p><b>Threading.</b> The operators run on whatever thread signals them, usually the connection's
 * port thread; {@code request} and {@code cancel} may come from any thread. They never block.
 *
 * <p><b>Buffers.</b> Input buffers are only read: their position, limit and content are left as
 * they were, so the caller may still own them. Every emitted buffer is a fresh heap buffer with
 * position 0 and capacity equal to remaining, owned by the subscriber for good. A decoder copies
 * aside only the part of a frame cut by a buffer's end.
 *
 * <p><b>Lifecycle.</b> Every method is lazy and each subscription gets its own decoding state.
 * A decoder asks its input for one buffer at a time, and only when the subscriber wants a frame
 * that the buffers so far have not completed; so it never emits more than requested and holds at
 * most the frames of one buffer. Cancelling cancels the input. A decoding failure cancels the input
 * at once and reaches the subscriber after the frames decoded before it (so those are the same
 * however the stream was cut); an input error likewise, dropping a partial frame.
 */
public final class Frames {

    private Frames() {
    }

    /**
     * Cuts a byte stream into lines ending in {@code '\n'}; a {@code '\r'} just before the
     * {@code '\n'} is dropped too. Each line is emitted without its delimiter, an empty line as an
     * empty buffer. A final line without {@code '\n'} is emitted at completion if it is not empty,
     * as it is (a trailing {@code '\r'} stays, having no {@code '\n'} to belong to).
     *
     * <p>A line longer than {@code maxLineLength} (without its delimiter) fails the flux with
     * {@link FrameTooLongException} as soon as a byte proves it: the {@code maxLineLength + 1}st
     * byte, or the next one if that byte is a {@code '\r'}, whose {@code length()} is the bytes
     * scanned without a {@code '\n'}. At most {@code maxLineLength + 1} bytes of a line are held.
     *
     * @param in the byte stream, usually a connection's inbound
     * @param maxLineLength the longest line accepted, in bytes, at least 1
     * @return the lines, one fresh heap buffer each
     * @throws NullPointerException if {@code in} is null
     * @throws IllegalArgumentException if {@code maxLineLength < 1}
     */
    public static Flux<ByteBuffer> decodeLines(Publisher<ByteBuffer> in, int maxLineLength) {
        Objects.requireNonNull(in, "in");
        requirePositive(maxLineLength, "maxLineLength");
        return new DecodingFlux<>(in, () -> new LineSplitter(maxLineLength));
    }

    /**
     * Turns each buffer into a line: a fresh heap buffer holding its bytes and a {@code '\n'}, one
     * output buffer per input buffer. The input is not modified.
     *
     * <p>Fails the flux, cancelling the input, with {@link FrameTooLongException} for a buffer of
     * more than {@code maxLineLength} bytes, and with {@link IllegalArgumentException} for one that
     * contains a {@code '\n'} or ends with a {@code '\r'} (which {@link #decodeLines} would drop, so
     * the line would not come back as sent).
     *
     * @param in the lines, without delimiters
     * @param maxLineLength the longest line accepted, in bytes, at least 1
     * @return the lines with their {@code '\n'}, one fresh heap buffer each
     * @throws NullPointerException if {@code in} is null
     * @throws IllegalArgumentException if {@code maxLineLength < 1}
     */
    public static Flux<ByteBuffer> encodeLines(Publisher<ByteBuffer> in, int maxLineLength) {
        Objects.requireNonNull(in, "in");
        requirePositive(maxLineLength, "maxLineLength");
        return Flux.from(in).map(line -> terminate(line, maxLineLength));
    }

    /**
     * Cuts a byte stream into frames, each a big-endian unsigned length of {@code prefixBytes}
     * bytes followed by that many bytes, and emits each frame's body.
     *
     * <p>A length above {@code maxFrameLength} fails the flux with {@link FrameTooLongException}
     * as soon as the prefix is complete, before any of the body is held or allocated. A body cut by
     * a buffer's end is collected in an array that grows with what arrives, not with what the
     * prefix announced. Completion inside a prefix or a body fails the flux with
     * {@link FlowsockException} saying how many bytes arrived and how many are missing, for example
     * "stream ended inside a frame: 3 of 10 bytes (7 missing)".
     *
     * @param in the byte stream, usually a connection's inbound
     * @param prefixBytes the length prefix's size: 1, 2 or 4
     * @param maxFrameLength the longest body accepted, in bytes, at least 1
     * @return the bodies, one fresh heap buffer each (an empty body as an empty buffer)
     * @throws NullPointerException if {@code in} is null
     * @throws IllegalArgumentException if {@code prefixBytes} is not 1, 2 or 4, or
     *     {@code maxFrameLength < 1}
     */
    public static Flux<ByteBuffer> decodeLengthPrefixed(Publisher<ByteBuffer> in, int prefixBytes,
            int maxFrameLength) {
        Objects.requireNonNull(in, "in");
        requirePrefixBytes(prefixBytes);
        requirePositive(maxFrameLength, "maxFrameLength");
        return new DecodingFlux<>(in, () -> new LengthPrefixDecoder(prefixBytes, maxFrameLength));
    }

    /**
     * Turns each buffer into a frame: a fresh heap buffer holding its length as a big-endian
     * unsigned number of {@code prefixBytes} bytes, then its bytes. The input is not modified.
     *
     * <p>A buffer longer than {@code maxFrameLength}, or than the prefix can express (255 bytes
     * for 1, 65535 for 2), fails the flux with {@link FrameTooLongException}, cancelling the input;
     * its {@code maxLength()} is the smaller of the two limits.
     *
     * @param in the frame bodies
     * @param prefixBytes the length prefix's size: 1, 2 or 4
     * @param maxFrameLength the longest body accepted, in bytes, at least 1
     * @return the frames, one fresh heap buffer each
     * @throws NullPointerException if {@code in} is null
     * @throws IllegalArgumentException if {@code prefixBytes} is not 1, 2 or 4, or
     *     {@code maxFrameLength < 1}
     */
    public static Flux<ByteBuffer> encodeLengthPrefixed(Publisher<ByteBuffer> in, int prefixBytes,
            int maxFrameLength) {
        Objects.requireNonNull(in, "in");
        requirePrefixBytes(prefixBytes);
        requirePositive(maxFrameLength, "maxFrameLength");
        int limit = prefixBytes == 4 ? maxFrameLength
                : Math.min(maxFrameLength, (1 << (8 * prefixBytes)) - 1);
        return Flux.from(in).map(body -> prefix(body, prefixBytes, limit));
    }

    private static ByteBuffer terminate(ByteBuffer line, int maxLineLength) {
        int length = line.remaining();
        if (length > maxLineLength) {
            throw new FrameTooLongException(length, maxLineLength);
        }
        int start = line.position();
        for (int i = 0; i < length; i++) {
            if (line.get(start + i) == '\n') {
                throw new IllegalArgumentException("line contains '\\n' at index " + i
                        + " of " + length + " bytes");
            }
        }
        if (length > 0 && line.get(start + length - 1) == '\r') {
            throw new IllegalArgumentException("line ends with '\\r', which decodeLines would drop");
        }
        ByteBuffer out = ByteBuffer.allocate(length + 1);
        out.put(line.duplicate()).put((byte) '\n');
        return out.flip();
    }

    private static ByteBuffer prefix(ByteBuffer body, int prefixBytes, int limit) {
        int length = body.remaining();
        if (length > limit) {
            throw new FrameTooLongException(length, limit);
        }
        ByteBuffer out = ByteBuffer.allocate(prefixBytes + length);
        for (int shift = 8 * (prefixBytes - 1); shift >= 0; shift -= 8) {
            out.put((byte) (length >>> shift));
        }
        out.put(body.duplicate());
        return out.flip();
    }

    private static void requirePositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + value);
        }
    }

    private static void requirePrefixBytes(int prefixBytes) {
        if (prefixBytes != 1 && prefixBytes != 2 && prefixBytes != 4) {
            throw new IllegalArgumentException("prefixBytes must be 1, 2 or 4, was " + prefixBytes);
        }
    }
}
