package io.flowsock.http;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import javax.net.ssl.SSLSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One HTTP request as the server received it: the request line and header fields, parsed and
 * checked, and the body still on its way.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. Body signals arrive one at a
 * time, on the connection's port thread or on the thread whose request(n) made room for them.
 *
 * <p><b>Buffers.</b> A body buffer passed to onNext belongs to the subscriber for good: no
 * release, no reference count. It may be read-only.
 *
 * <p><b>Lifecycle.</b> The body can be subscribed once, while the exchange lasts. What the handler
 * leaves unread is drained after the response (up to 256 KiB; beyond that the connection is
 * closed instead), so the next request on the connection is never mis-framed.
 */
public interface HttpServerRequest {
    /** The method, as sent: "GET", "POST", ... (methods are case-sensitive). */
    String method();

    /** The request target as sent: "/path?query", or an absolute URI, or "*". */
    String uri();

    /** The path of {@link #uri()}, without query, still percent-encoded: "/a%20b". */
    String path();

    /** The query of {@link #uri()}, without the '?', still percent-encoded; empty when there is none. */
    Optional<String> query();

    /** The value of query parameter {@code name} ("a=1&b=2"), percent-decoded as UTF-8. */
    Optional<String> queryParam(String name);

    /** "HTTP/1.1" or "HTTP/1.0". */
    String version();

    /** The header fields, read-only. */
    HttpHeaders headers();

    /** The first value of header {@code name}. */
    default Optional<String> header(String name) {
        return headers().get(name);
    }

    /** The declared body length; empty for a chunked body. Zero when the request has no body. */
    OptionalLong contentLength();

    /** Whether the client asked to keep the connection open after this exchange. */
    boolean isKeepAlive();

    /**
     * The body, demand-driven: bytes are read from the socket only as the subscriber requests,
     * so a slow subscriber slows the client through TCP. Completes after the last byte (chunked
     * trailers are read and dropped); errors with {@link HttpBodyException} when the client
     * closes early, sends a malformed chunk or more than the server's body limit. Empty for a
     * request without a body. When the client sent {@code Expect: 100-continue}, the first
     * request(n) sends the interim 100 response. One subscriber; a second gets an
     * {@link IllegalStateException}.
     */
    Flux<ByteBuffer> receive();

    /**
     * The body in loaned mode, read in place: {@code reader} is applied to each chunk as it is
     * read and the flux emits what it returns, one value per chunk, with {@link #receive()}'s
     * demand, limits, errors and one-subscriber rule. The chunk may be the connection's own
     * receive memory, not copied: the reader is lent a read-only view of it, <b>valid only during
     * the call</b>; it may read it (count, hash, decode, copy out) but must not keep it or return
     * it. A reader that returns null or the view it was lent, or throws, ends the flux with that
     * error and the rest of the body is dropped as unread. For a body that is consumed as it
     * arrives this saves the copy that {@link #receive()} makes so that its subscriber owns each
     * buffer; Reactor Netty's {@code receive()} gives the same in-place reading with reference-
     * counted buffers, which this mode needs none of.
     */
    <T> Flux<T> receive(Function<? super ByteBuffer, ? extends T> reader);

    /** The whole body decoded as UTF-8 (or the charset of its Content-Type). */
    Mono<String> receiveString();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** The TLS session of an https request; empty for plaintext. */
    Optional<SSLSession> tlsSession();
}
