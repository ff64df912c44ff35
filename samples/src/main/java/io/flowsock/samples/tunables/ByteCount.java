package io.flowsock.samples.tunables;

import java.nio.ByteBuffer;

/**
 * Counts the bytes of a short message however TCP cut it, and says when the message is complete.
 * One instance per connection and direction; runs only on that connection's port thread.
 */
final class ByteCount {
    private final int expected;
    private int received;

    ByteCount(int expected) {
        this.expected = expected;
    }

    /** Counts {@code b}; true once, for the buffer that completes the message. */
    boolean add(ByteBuffer b) {
        boolean wasComplete = received >= expected;
        received += b.remaining();
        return !wasComplete && received >= expected;
    }

    /** Throws {@link IllegalStateException} unless exactly the message arrived (call at end of stream). */
    void requireExact() {
        if (received != expected) {
            throw new IllegalStateException("expected " + expected + " bytes, received " + received);
        }
    }
}
