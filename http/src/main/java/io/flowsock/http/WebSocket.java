package io.flowsock.http;

import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A WebSocket (RFC 6455) on an upgraded HTTP/1.1 connection: on the server, given to the function
 * of {@link HttpServerResponse#sendWebSocket(WebSocketSpec, java.util.function.Function)}; on the
 * client, to the function of {@link HttpClientWebSocket#handle(java.util.function.Function)}. Both
 * sides behave alike; where they differ (masking, who closes the TCP connection) RFC 6455 decides.
 *
 * <pre>{@code
 * (req, res) -> res.sendWebSocket(ws -> ws.send(ws.receive()))                 // echo
 * (req, res) -> res.sendWebSocket(ws -> ws.send(Flux.interval(Duration.ofSeconds(1))
 *         .map(i -> WebSocketMessage.text("tick " + i))))
 * }</pre>
 *
 * <p><b>Receiving.</b> {@link #receive()} gives whole messages, fragments joined, read only
 * against demand: while no message is wanted nothing more is read, and TCP slows the client.
 * Pings are answered with pongs by flowsock and not given; pongs are. A message larger than
 * {@link WebSocketSpec#maxMessageSize()}, a frame that breaks RFC 6455 (an unmasked client frame,
 * a masked server frame, reserved bits, an unknown opcode, a fragmented or oversized control frame) or text that is not
 * UTF-8 closes the WebSocket with 1009, 1002 or 1007 and fails {@code receive()} with a
 * {@link WebSocketException} naming it. The peer's close completes it.
 *
 * <p><b>Sending.</b> Each message goes out as one frame; a pong for a ping the peer sent goes
 * between messages, never behind a whole stream. A client's frames are masked, each with a fresh
 * key, and so copied once; a server's go unmasked. Sends run one after another in the order they
 * are subscribed, at most {@code sendcap} buffers ahead of the kernel; a send's Mono completes when
 * its last message is handed to the connection.
 *
 * <p><b>Closing.</b> When the function's Publisher ends, the WebSocket closes with 1000 (1011 if it
 * failed); {@link #close(int, String)} closes it earlier. flowsock sends the close frame, stops
 * the sends, reads and drops what the peer still sends until its close frame arrives (at most
 * {@link WebSocketSpec#closeTimeout()}), then the server closes the TCP connection, and the client
 * waits for it to (at most {@code closeTimeout} again) before closing its own side. A peer's close is
 * answered with the same status. {@link #onClose()} tells how it ended.
 *
 * <p><b>Threading.</b> Any method from any thread.
 */
public interface WebSocket {
    /**
     * The header fields of the handshake's other half: on the server, the upgrade request's (its
     * path and query are the handler's {@code request}); on the client, the 101 response's.
     */
    HttpHeaders handshakeHeaders();

    /** The subprotocol agreed in the handshake, or null. */
    String subprotocol();

    /** The messages received, each whole; one subscriber. */
    Flux<WebSocketMessage> receive();

    /** Sends each message as one frame; see the class comment. Lazy. */
    Mono<Void> send(Publisher<WebSocketMessage> messages);

    /** Sends each string as a text message. */
    default Mono<Void> sendText(Publisher<? extends CharSequence> texts) {
        java.util.Objects.requireNonNull(texts, "texts");
        return send(Flux.from(texts).map(WebSocketMessage::text));
    }

    /** Sends each buffer as a binary message. */
    default Mono<Void> sendBinary(Publisher<? extends ByteBuffer> data) {
        java.util.Objects.requireNonNull(data, "data");
        return send(Flux.from(data).map(WebSocketMessage::binary));
    }

    /**
     * Starts the close handshake with {@code code} (1000–1003, 1007–1011 or 3000–4999) and
     * {@code reason} (at most 123 bytes of UTF-8); completes when the TCP connection is closed.
     * After the first close, a later one only waits for that.
     *
     * @throws IllegalArgumentException naming the code or reason that cannot be sent
     */
    Mono<Void> close(int code, String reason);

    /** {@code close(1000, "")}. */
    default Mono<Void> close() {
        return close(WebSocketClose.NORMAL, "");
    }

    /** Whether no close frame has been sent or received yet. */
    boolean isOpen();

    /** How the WebSocket ended, once its TCP connection is closed. */
    Mono<WebSocketClose> onClose();
}
