package io.flowsock.http;

import io.flowsock.core.FlowsockException;
import java.net.URI;
import java.time.Duration;

/**
 * An HTTP exchange of {@link HttpClient} failed before a whole response arrived, or never started.
 * {@link #kind()} says what went wrong; {@link #uri()} names the request (or, for the pool, the
 * origin it connects to). A response body that breaks off after its head fails with
 * {@link HttpBodyException} instead; connect and TLS failures keep their own types.
 */
public final class HttpClientException extends FlowsockException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for code that reacts to it. */
    public enum Kind {
        /** No response head arrived within {@link HttpClient#responseTimeout(Duration)}. */
        RESPONSE_TIMEOUT,
        /** The server closed the connection before the response head was whole. */
        PREMATURE_CLOSE,
        /** What the server sent is not an HTTP/1.1 response (the message says what the parser found). */
        BAD_RESPONSE,
        /** Every connection to the origin was busy and {@code pendingAcquireMax} requests already waited. */
        PENDING_ACQUIRE_LIMIT,
        /** A request waited {@code pendingAcquireTimeout} for a busy origin's connection and none came free. */
        PENDING_ACQUIRE_TIMEOUT,
        /** More redirects than {@link HttpClient#MAX_REDIRECTS} in a row. */
        TOO_MANY_REDIRECTS,
        /** The client was disposed, so its pools take no more requests. */
        CLIENT_DISPOSED,
        /**
         * The server did not accept a WebSocket handshake: an answer other than 101, or a 101 that
         * breaks RFC 6455, 4.1 (the message says which).
         */
        WEBSOCKET_HANDSHAKE
    }

    private final Kind kind;
    private final transient URI uri;
    /** The request never reached a server that could have acted on it, so sending it again is safe. */
    final transient boolean retryable;

    HttpClientException(Kind kind, URI uri, String message) {
        this(kind, uri, message, null, false);
    }

    HttpClientException(Kind kind, URI uri, String message, Throwable cause) {
        this(kind, uri, message, cause, false);
    }

    HttpClientException(Kind kind, URI uri, String message, Throwable cause, boolean retryable) {
        super(message + " (" + uri + ")", cause);
        this.kind = kind;
        this.uri = uri;
        this.retryable = retryable;
    }

    static HttpClientException responseTimeout(URI uri, Duration timeout) {
        return new HttpClientException(Kind.RESPONSE_TIMEOUT, uri,
                "no response head within the response timeout of " + timeout.toMillis() + " ms");
    }

    public Kind kind() {
        return kind;
    }

    public URI uri() {
        return uri;
    }
}
