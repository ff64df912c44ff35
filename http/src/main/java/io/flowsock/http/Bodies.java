package io.flowsock.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** What request and response bodies share once read whole: aggregation and the charset to decode them by. */
final class Bodies {
    private Bodies() {
    }

    /** Every byte of {@code body}, in one array; an empty body gives an empty array. */
    static Mono<byte[]> aggregate(Flux<ByteBuffer> body) {
        return body.collect(ByteArrayOutputStream::new, Bodies::append).map(ByteArrayOutputStream::toByteArray);
    }

    /** Appends {@code b}'s remaining bytes to {@code out}, leaving {@code b} as it was; true, for a loaned-mode reader. */
    static Boolean append(ByteArrayOutputStream out, ByteBuffer b) {
        if (b.hasArray()) {
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        } else {
            byte[] copy = new byte[b.remaining()];
            b.get(b.position(), copy);
            out.write(copy, 0, copy.length);
        }
        return Boolean.TRUE;
    }

    /** The Content-Type's charset parameter, or UTF-8 when there is none or the JDK does not know it. */
    static Charset charset(HttpHeaders headers) {
        String type = headers.get("Content-Type").orElse("");
        int at = type.toLowerCase(Locale.ROOT).indexOf("charset=");
        if (at >= 0) {
            String name = type.substring(at + 8).split(";")[0].trim().replace("\"", "");
            try {
                return Charset.forName(name);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException unknown) {
                return StandardCharsets.UTF_8;
            }
        }
        return StandardCharsets.UTF_8;
    }
}
