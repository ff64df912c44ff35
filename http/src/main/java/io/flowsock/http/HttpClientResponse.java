package io.flowsock.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * A response's status and head, and its body as it arrives.
 *
 * <p><b>Threading.</b> The head is read-only and may be read from any thread. The body's signals
 * arrive on the connection's port thread (or on the thread that requested, for bytes already
 * received); request and cancel may come from any thread.
 *
 * <p><b>Buffers.</b> Each buffer of {@link #body()} is the subscriber's for good: a slice of what
 * the connection received, with no reference count and nothing to release.
 *
 * <p><b>Lifecycle.</b> The connection stays this response's until its body is read whole (then it
 * goes back to its pool, or closes if either side said {@code Connection: close}), cancelled, or
 * {@link #discard() discarded} (then it closes). A body left unread holds its connection: read it,
 * or use the request's {@code responseString()}, {@code responseSingle(...)} or
 * {@code response(BiFunction)}, which do it for you. A response without content (HEAD, 204, 304,
 * Content-Length 0) frees its connection before it is emitted.
 */
public final class HttpClientResponse {
    private final URI uri;
    private final int status;
    private final String version;
    private final HttpHeaders headers;
    private final long contentLength;
    private final Publisher<ByteBuffer> body;
    private final Runnable discard;

    HttpClientResponse(URI uri, int status, String version, HttpHeaders headers, long contentLength,
                       Publisher<ByteBuffer> body, Runnable discard) {
        this.uri = uri;
        this.status = status;
        this.version = version;
        this.headers = headers;
        this.contentLength = contentLength;
        this.body = body;
        this.discard = discard;
    }

    /** The URI this response answers (after redirects, the last one). */
    public URI uri() {
        return uri;
    }

    public int status() {
        return status;
    }

    /** "HTTP/1.1" or "HTTP/1.0". */
    public String version() {
        return version;
    }

    /** The response's header fields, read-only. */
    public HttpHeaders headers() {
        return headers;
    }

    /**
     * The Content-Length the response declares; for HEAD (and a 304 that declares one) that is the
     * length a GET would get, while the body here is empty. Empty when chunked or close-delimited;
     * 0 for a 204 or a 304 that declares nothing.
     */
    public OptionalLong contentLength() {
        return contentLength < 0 ? OptionalLong.empty() : OptionalLong.of(contentLength);
    }

    /**
     * The body, driven by demand: bytes are read from the socket only while the subscriber has
     * requested more, so a slow reader slows the server through TCP. One subscriber; a second gets
     * an {@link IllegalStateException}. Errors with {@link HttpBodyException} if the body breaks
     * off (the server closes early, a chunk is malformed). Cancelling closes the connection.
     */
    public Flux<ByteBuffer> body() {
        return Flux.from(body);
    }

    /** The same as {@link #body()}, for readers used to Reactor Netty. */
    public Flux<ByteBuffer> receive() {
        return body();
    }

    /** Gives the body up: closes the connection unless the body was read whole already. Any thread. */
    public void discard() {
        discard.run();
    }

    @Override
    public String toString() {
        return version + " " + status + (status >= 100 && status < 600 ? " " + HttpStatus.reason(status) : "") + " (" + uri + ")";
    }
}
