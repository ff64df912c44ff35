package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Turns a byte stream, fed in pieces cut anywhere, into values. One instance serves one
 * subscription; {@link DecodingSubscriber} calls it one call at a time, in signal order, so an
 * implementation keeps its carry-over in plain fields.
 *
 * @param <T> the decoded value
 */
interface ByteDecoder<T> {

    /**
     * Reads {@code in} from its position to its limit without moving either, passes every value it
     * completes to {@code out} and keeps the start of a value it cuts.
     *
     * @throws RuntimeException when the stream is invalid; values passed to {@code out} before the
     *     throw are valid and are delivered ahead of the error
     */
    void decode(ByteBuffer in, Consumer<? super T> out);

    /**
     * Called once, when the input completes: passes a final value to {@code out}, or throws when the
     * stream ended inside a value.
     */
    void finish(Consumer<? super T> out);
}
