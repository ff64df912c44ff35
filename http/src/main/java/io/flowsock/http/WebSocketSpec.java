package io.flowsock.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How a WebSocket is set up by {@link HttpServerResponse#sendWebSocket(WebSocketSpec, java.util.function.Function)}.
 * Immutable: each method returns a copy.
 *
 * @param subprotocol   the subprotocol to answer with, or null for none; it is sent only when the
 *                      client offered it in {@code Sec-WebSocket-Protocol}
 * @param maxMessageSize the largest message received, its fragments joined (default 65,536 bytes,
 *                      Reactor Netty's default frame limit); a larger one closes with 1009
 * @param closeTimeout  how long, after sending a close frame, the peer's is awaited before the
 *                      TCP connection is closed anyway (default 5 s)
 * @param compress      whether to agree to (on a server) or offer (on a client) the
 *                      permessage-deflate extension of RFC 7692 (default false, as Reactor Netty's
 *                      {@code compress}); when agreed, text and binary messages go compressed, and
 *                      {@code maxMessageSize} bounds a message after it is inflated
 */
public record WebSocketSpec(String subprotocol, int maxMessageSize, Duration closeTimeout, boolean compress) {
    private static final WebSocketSpec DEFAULTS = new WebSocketSpec(null, 65_536, Duration.ofSeconds(5), false);

    public WebSocketSpec {
        if (maxMessageSize <= 0) {
            throw new IllegalArgumentException("maxMessageSize must be positive, was " + maxMessageSize);
        }
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (closeTimeout.isNegative() || closeTimeout.isZero()) {
            throw new IllegalArgumentException("closeTimeout must be positive, was " + closeTimeout);
        }
        if (subprotocol != null && (subprotocol.isEmpty() || !HttpHeaders.isToken(subprotocol))) {
            throw new IllegalArgumentException("subprotocol must be an HTTP token, was \"" + subprotocol + "\"");
        }
    }

    /** Without compression. */
    public WebSocketSpec(String subprotocol, int maxMessageSize, Duration closeTimeout) {
        this(subprotocol, maxMessageSize, closeTimeout, false);
    }

    public static WebSocketSpec defaults() {
        return DEFAULTS;
    }

    public WebSocketSpec subprotocol(String subprotocol) {
        return new WebSocketSpec(subprotocol, maxMessageSize, closeTimeout, compress);
    }

    public WebSocketSpec maxMessageSize(int bytes) {
        return new WebSocketSpec(subprotocol, bytes, closeTimeout, compress);
    }

    public WebSocketSpec closeTimeout(Duration timeout) {
        return new WebSocketSpec(subprotocol, maxMessageSize, timeout, compress);
    }

    /** With or without permessage-deflate (RFC 7692); see {@link #compress()}. */
    public WebSocketSpec compress(boolean compress) {
        return new WebSocketSpec(subprotocol, maxMessageSize, closeTimeout, compress);
    }
}
