package io.flowsock.core;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
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
        /** The handshake failed for another reason (the cause says why: protocol, cipher suites, the peer's alert). */
        HANDSHAKE,
        /** The peer's certificate does not chain to a trusted one (or its path could not be checked). */
        UNTRUSTED_CERTIFICATE,
        /** The peer's certificate, or one in its chain, has expired or is not valid yet. */
        EXPIRED_CERTIFICATE,
        /** The server's certificate does not name the host the client asked for. */
        HOSTNAME_MISMATCH,
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

    /**
     * What a failed handshake's exception says went wrong, from the JDK's own exception types in
     * its cause chain: an expired or not yet valid certificate, a hostname the certificate does
     * not name, a path to no trusted certificate; else {@link Kind#HANDSHAKE}.
     */
    static Kind handshakeKind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException
                    || t instanceof CertPathValidatorException v && (v.getReason() == BasicReason.EXPIRED
                    || v.getReason() == BasicReason.NOT_YET_VALID)) {
                return Kind.EXPIRED_CERTIFICATE;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (t instanceof CertificateException && m != null
                    && (m.startsWith("No subject alternative") || m.startsWith("No name matching"))) {
                return Kind.HOSTNAME_MISMATCH;   // the JDK's HTTPS endpoint identification
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return Kind.UNTRUSTED_CERTIFICATE;
            }
        }
        return Kind.HANDSHAKE;
    }

    public Kind kind() {
        return kind;
    }

    /** The peer's address. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }
}
