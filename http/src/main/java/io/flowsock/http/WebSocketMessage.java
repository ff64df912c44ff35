package io.flowsock.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One WebSocket message (RFC 6455): a whole text or binary message, its fragments already joined,
 * or a ping or pong. The payload is the receiver's for good: nothing to release.
 *
 * @param type    what the message is
 * @param payload its bytes, from position to limit; UTF-8 for {@link Type#TEXT}
 */
public record WebSocketMessage(Type type, ByteBuffer payload) {
    /** The message types an application sends and receives; close is {@link WebSocket#close}'s. */
    public enum Type { TEXT, BINARY, PING, PONG }

    public WebSocketMessage {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        if ((type == Type.PING || type == Type.PONG) && payload.remaining() > 125) {
            throw new IllegalArgumentException("a " + type + " payload is at most 125 bytes, was " + payload.remaining());
        }
    }

    /** A text message: {@code text} encoded as UTF-8. */
    public static WebSocketMessage text(CharSequence text) {
        Objects.requireNonNull(text, "text");
        return new WebSocketMessage(Type.TEXT, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** A binary message of {@code data}'s remaining bytes. */
    public static WebSocketMessage binary(ByteBuffer data) {
        return new WebSocketMessage(Type.BINARY, data);
    }

    /** A ping; the peer answers it with a pong carrying the same bytes (at most 125). */
    public static WebSocketMessage ping(ByteBuffer data) {
        return new WebSocketMessage(Type.PING, data);
    }

    /** The payload decoded as UTF-8 (a text message's is valid UTF-8: flowsock checks it on receipt). */
    public String text() {
        return StandardCharsets.UTF_8.decode(payload.duplicate()).toString();
    }
}
