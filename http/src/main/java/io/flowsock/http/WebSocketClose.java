package io.flowsock.http;

import java.util.Objects;

/**
 * How a WebSocket ended (RFC 6455, section 7.4): the status code of the close frame (the peer's
 * when it closed first, else the one sent), or 1006 when the TCP connection ended without a close
 * frame, and its reason text.
 */
public record WebSocketClose(int code, String reason) {
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int UNSUPPORTED_DATA = 1003;
    /** Received in a close frame with no status code; never sent. */
    public static final int NO_STATUS = 1005;
    /** The connection ended without a close frame; never sent. */
    public static final int ABNORMAL = 1006;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;

    public WebSocketClose {
        if (code < 1000 || code > 4999) {
            throw new IllegalArgumentException("code must be in 1000..4999, was " + code);
        }
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Whether {@code code} may be sent in a close frame: 1000–1003, 1007–1011 and 3000–4999
     * (1004–1006 and 1015 are reserved, the rest unassigned).
     */
    static boolean sendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
    }
}
