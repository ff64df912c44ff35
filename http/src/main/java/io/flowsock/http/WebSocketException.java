package io.flowsock.http;

/**
 * A WebSocket failed: the handshake was not one (then {@link #closeCode()} is 0 and the request
 * was answered 400 or 426), or a frame broke RFC 6455 or a limit, and the connection was closed
 * with {@link #closeCode()} (1002 protocol error, 1007 invalid UTF-8, 1009 too big).
 */
public final class WebSocketException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int closeCode;

    public WebSocketException(int closeCode, String message) {
        super(message);
        this.closeCode = closeCode;
    }

    /** The close status sent to the peer, or 0 for a refused handshake. */
    public int closeCode() {
        return closeCode;
    }
}
