package io.flowsock.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** How a streamed response body goes on the wire behind its head: chunked, or held to a declared Content-Length. */
final class StreamFraming {
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    /**
     * A streamed body buffer up to this size goes out framed in one buffer (size line, bytes, CRLF)
     * rather than three: a server-sent event is one buffer of sendCap, so four go in one write.
     */
    private static final int COPY_INTO_CHUNK = 1024;

    private StreamFraming() {
    }

    /** The head, then each non-empty buffer of {@code body} as a chunk, then the last chunk. */
    static Publisher<ByteBuffer> chunked(ByteBuffer head, Publisher<? extends ByteBuffer> body) {
        return Flux.concat(Mono.just(head),
                Flux.from(body).filter(ByteBuffer::hasRemaining).concatMapIterable(StreamFraming::chunk),
                Mono.fromSupplier(() -> ByteBuffer.wrap(LAST_CHUNK)));
    }

    private static List<ByteBuffer> chunk(ByteBuffer b) {
        int n = b.remaining();
        if (n <= COPY_INTO_CHUNK) {
            return List.of(new Ascii(n + 12).appendHex(n).crlf().append(b).crlf().toBuffer());
        }
        Ascii size = new Ascii(12).appendHex(n).crlf();
        return List.of(size.toBuffer(), b, ByteBuffer.wrap(CRLF));
    }

    /** The head, then {@code body} held to the Content-Length the handler declared: a body short or long fails. */
    static Publisher<ByteBuffer> counted(ByteBuffer head, Publisher<? extends ByteBuffer> body, long length) {
        long[] sent = {0};
        Flux<ByteBuffer> held = Flux.from(body).<ByteBuffer>handle((b, sink) -> {
            sent[0] += b.remaining();
            if (sent[0] > length) {
                sink.error(new IllegalStateException("the response body is longer than its Content-Length, " + length));
            } else {
                sink.next(b);
            }
        }).concatWith(Mono.defer(() -> sent[0] == length ? Mono.empty() : Mono.error(new IllegalStateException(
                "the response body ended after " + sent[0] + " bytes; its Content-Length says " + length))));
        return Flux.concat(Mono.just(head), held);
    }

    /** The Content-Length a handler set, as a number. */
    static long declaredLength(String value) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the error naming the value
        }
        throw new IllegalArgumentException("the response's Content-Length must be a number >= 0, was \"" + value + "\"");
    }
}
