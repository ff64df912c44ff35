package io.flowsock.core;

/**
 * Base of flowsock's own unchecked exceptions. Each subclass carries the address or setting it
 * concerns, so a log line or an {@code onError} says what went wrong and where.
 */
public class FlowsockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FlowsockException(String message) {
        super(message);
    }

    public FlowsockException(String message, Throwable cause) {
        super(message, cause);
    }
}
