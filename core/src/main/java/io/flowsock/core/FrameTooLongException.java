package io.flowsock.core;

/**
 * A peer announced or sent a frame longer than the decoder's maximum. The decoder fails before
 * allocating what the peer claimed.
 */
public final class FrameTooLongException extends FlowsockException {
    private static final long serialVersionUID = 1L;
    private final long length;
    private final int maxLength;

    public FrameTooLongException(long length, int maxLength) {
        super("frame of " + length + " bytes exceeds maxFrameLength " + maxLength);
        this.length = length;
        this.maxLength = maxLength;
    }

    /** The length seen or announced (for a delimiter search, the bytes scanned without one). */
    public long length() {
        return length;
    }

    public int maxLength() {
        return maxLength;
    }
}
