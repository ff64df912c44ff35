package io.flowsock.reactive;

import io.flowsock.core.FlowsockException;

/**
 * A peer announced or sent a frame longer than the decoder's maximum, or an encoder was given one.
 * The decoder fails before allocating what the peer claimed. Thrown only by {@link Frames} and
 * {@link Strings}, so it lives with them rather than in the engine.
 */
public final class FrameTooLongException extends FlowsockException {
    private static final long serialVersionUID = 1L;
    private final long length;
    private final int maxLength;

    FrameTooLongException(long length, int maxLength) {
        super("frame of " + length + " bytes exceeds maxFrameLength " + maxLength);
        this.length = length;
        this.maxLength = maxLength;
    }

    /** The length seen or announced (for a delimiter search, the bytes scanned without one). */
    public long length() {
        return length;
    }

    /** The longest frame the decoder or encoder accepts. */
    public int maxLength() {
        return maxLength;
    }
}
