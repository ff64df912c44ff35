package io.flowsock.samples.hello;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Checks a byte stream against the message it should carry, whatever the buffers TCP cut it into:
 * "hello" may arrive as "he" + "llo", or even one byte per buffer. Counting bytes, not buffers, is
 * what makes a protocol on TCP correct.
 *
 * <p>One instance per connection and direction. Runs only on its connection's port thread (inbound
 * signals arrive one at a time), so it needs no synchronisation.
 */
final class ExpectedBytes {
    private final String name;
    private final byte[] expected;
    private int received;

    ExpectedBytes(String message) {
        this.name = message;
        this.expected = message.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Takes the next buffer of the stream. Returns true once, for the buffer that completes the
     * message; throws {@link UnexpectedBytesException} for a byte that differs or comes after the end.
     */
    boolean add(ByteBuffer buffer) {
        boolean wasComplete = isComplete();
        // Read through absolute gets: the buffer's position is left alone and no copy is made.
        for (int i = buffer.position(); i < buffer.limit(); i++) {
            if (received == expected.length) {
                throw new UnexpectedBytesException("more than the " + expected.length + " bytes of \"" + name
                        + "\" arrived");
            }
            if (buffer.get(i) != expected[received]) {
                throw new UnexpectedBytesException("byte " + received + " of \"" + name + "\" was "
                        + (buffer.get(i) & 0xff) + ", expected " + expected[received]);
            }
            received++;
        }
        return !wasComplete && isComplete();
    }

    boolean isComplete() {
        return received == expected.length;
    }

    /** Throws {@link UnexpectedBytesException} unless the whole message arrived (call at end of stream). */
    void requireComplete() {
        if (!isComplete()) {
            throw new UnexpectedBytesException("the stream ended after " + received + " of the " + expected.length
                    + " bytes of \"" + name + "\"");
        }
    }

    /** A peer sent something other than the message the protocol expects. */
    static final class UnexpectedBytesException extends RuntimeException {
        UnexpectedBytesException(String message) {
            super(message);
        }
    }
}
