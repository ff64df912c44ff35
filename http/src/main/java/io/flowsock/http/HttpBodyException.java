package io.flowsock.http;

import io.flowsock.core.FlowsockException;

/**
 * A request or response body that did not arrive whole: the peer closed early, a chunk was
 * malformed, or the body passed the size limit. {@link #status()} is what the server answers
 * when the response is not yet committed (400, 413), or 0 where no response can follow.
 */
public final class HttpBodyException extends FlowsockException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public HttpBodyException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
