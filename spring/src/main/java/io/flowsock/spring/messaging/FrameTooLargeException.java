package io.flowsock.spring.messaging;

import io.flowsock.core.FlowsockException;

/**
 * The peer sent more bytes than {@link FlowsockTcpClient#maxFrameLength()} without the codec
 * finding the end of a message in them: the connection is closed rather than buffering without
 * bound. (flowsock-reactive's {@code FrameTooLongException} is its own decoders' counterpart.)
 */
public final class FrameTooLargeException extends FlowsockException {
    private static final long serialVersionUID = 1L;

    private final int length;
    private final int maxLength;

    FrameTooLargeException(int length, int maxLength) {
        super(length + " bytes received without the codec finding a whole message in them; at most " + maxLength
                + " are held (FlowsockTcpClient.maxFrameLength)");
        this.length = length;
        this.maxLength = maxLength;
    }

    /** Bytes held undecoded when the limit was passed. */
    public int length() {
        return length;
    }

    /** The limit, {@link FlowsockTcpClient#maxFrameLength()}. */
    public int maxLength() {
        return maxLength;
    }
}
