package io.flowsock.core;

import java.net.SocketAddress;

/**
 * A TLS connection failed: its handshake (an untrusted, expired or misnamed certificate, no
 * protocol or cipher suite in common, garbage instead of a handshake message), its handshake
 * timeout, a malformed or oversized record, or a peer that ended the TCP stream without a
 * close_notify (a truncation). The message names the peer and the reason; the cause is the JDK's
 * own {@code SSLException} where there is one.
 */
public final class TlsException extends FlowsockException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for code that reacts to it. */
    public enum Kind {
        /** The handshake failed (the cause says why: certificate, protocol, alert from the peer). */
        HANDSHAKE,
        /** The handshake did not finish within the spec's handshake timeout. */
        HANDSHAKE_TIMEOUT,
        /** The peer ended the TCP stream without a close_notify: what came may be cut short. */
        TRUNCATED,
        /** A record could not be read or written once the handshake was done. */
        RECORD
    }

    private final transient SocketAddress remoteAddress;
    private final Kind kind;

    TlsException(Kind kind, SocketAddress remoteAddress, String reason, Throwable cause) {
        super("TLS with " + remoteAddress + ": " + reason, cause);
        this.kind = kind;
        this.remoteAddress = remoteAddress;
    }

    public Kind kind() {
        return kind;
    }

    /** The peer's address. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }
}
