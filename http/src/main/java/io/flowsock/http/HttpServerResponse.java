package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The response to one request. Set the status and headers, then send the body once: the head
 * goes out when the returned Mono is subscribed (the response is then committed), the body after
 * it, and the Mono completes when the last byte is handed to the kernel.
 *
 * <pre>{@code
 * (req, res) -> res.status(200).header("Content-Type", "text/plain").sendString("Hello, World!")
 * (req, res) -> res.send(req.receive())                     // streamed echo, chunked
 * }</pre>
 *
 * <p><b>Framing.</b> A body given as a {@link Mono} (or a String) is sent with Content-Length;
 * any other Publisher chunked, unless the handler set Content-Length itself (the count is then
 * checked: too few or too many bytes abort the connection, as the framing would otherwise lie).
 * To an HTTP/1.0 client a streamed body without Content-Length is delimited by closing the
 * connection. HEAD gets the head GET would (Content-Length included for a Mono body) and no body;
 * 1xx, 204 and 304 never carry a body. {@code Date} is added unless the handler set it.
 *
 * <p><b>Threading.</b> Any thread, one at a time: a handler sets status and headers, then sends.
 *
 * <p><b>Buffers.</b> A buffer given to send belongs to the connection until the send's Mono
 * ends; it is written from its position to its limit.
 *
 * <p><b>Lifecycle.</b> If the handler's Publisher completes without a send, an empty response
 * with the status set goes out; if it errors before the response is committed, a 500 goes out;
 * after, the connection is closed abortively, since the response cannot be finished honestly.
 */
public interface HttpServerResponse {
    /** Sets the status, 100..599 (default 200). */
    HttpServerResponse status(int status);

    int status();

    /** Replaces header {@code name}. Names and values are checked (no CR/LF: no response splitting). */
    HttpServerResponse header(String name, Object value);

    /** Adds a header, keeping those of the same name. */
    HttpServerResponse addHeader(String name, Object value);

    /** The response headers, writable until the response is committed. */
    HttpHeaders headers();

    /** {@code false} closes the connection after this response ({@code Connection: close}). */
    HttpServerResponse keepAlive(boolean keepAlive);

    /** Whether the head is on its way: status and headers can no longer change. */
    boolean isCommitted();

    /** Sends {@code body} after the head; see the class comment for the framing. Lazy; once. */
    Mono<Void> send(Publisher<? extends ByteBuffer> body);

    /** Sends each string encoded as UTF-8; a Mono as one Content-Length body. */
    Mono<Void> sendString(Publisher<? extends CharSequence> body);

    /** Sends {@code body} encoded as UTF-8 with Content-Length; text/plain unless Content-Type is set. */
    Mono<Void> sendString(CharSequence body);

    /** Sends the head with no body (Content-Length: 0 where a body could be). */
    Mono<Void> send();

    /**
     * Upgrades the connection to a WebSocket (RFC 6455) with {@link WebSocketSpec#defaults()}: see
     * {@link #sendWebSocket(WebSocketSpec, Function)}.
     */
    default Mono<Void> sendWebSocket(Function<? super WebSocket, ? extends Publisher<Void>> handler) {
        return sendWebSocket(WebSocketSpec.defaults(), handler);
    }

    /**
     * Upgrades the connection to a WebSocket: when subscribed, answers {@code 101 Switching
     * Protocols} (with the headers set on this response, and the spec's subprotocol if the client
     * offered it), then runs {@code handler} on the {@link WebSocket}; the connection serves no
     * more HTTP. The Mono completes when the WebSocket's TCP connection is closed, with the
     * handler's error if it failed. A request that is no WebSocket handshake (RFC 6455, 4.2.1: a
     * GET over HTTP/1.1 with {@code Upgrade: websocket}, {@code Connection: Upgrade}, a valid
     * {@code Sec-WebSocket-Key} and no body) is answered 400, or 426 with
     * {@code Sec-WebSocket-Version: 13} for another version, and the connection closed; the Mono
     * then fails with a {@link WebSocketException} naming what was wrong. Lazy; once, like a send.
     */
    Mono<Void> sendWebSocket(WebSocketSpec spec, Function<? super WebSocket, ? extends Publisher<Void>> handler);

    /** 404 with no body. */
    default Mono<Void> sendNotFound() {
        return status(404).send();
    }
}
