package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * Which responses an {@link HttpServer} sends gzip-compressed (RFC 9110, 8.4.1.3): those whose
 * client accepts gzip, whose media type is one of {@link #mimeTypes()}, which carry no
 * Content-Encoding of their own, and which are at least {@link #minResponseSize()} bytes long (a
 * streamed body of unknown length is compressed). A compressed response says
 * {@code Content-Encoding: gzip} and {@code Vary: Accept-Encoding}; a whole body gets its
 * compressed Content-Length, a streamed one goes chunked, each buffer flushed through the
 * compressor as it comes (so server-sent events still arrive one by one).
 *
 * <p>Compression runs on the connection's port thread with the JDK's {@link Deflater}; its native
 * memory is freed when the body ends, fails or is cancelled.
 *
 * @param minResponseSize bytes a body of known length must have to be compressed
 * @param mimeTypes       media types (without parameters, lower case) that are compressed
 * @param level           the deflate level, 1 (fastest) to 9 (smallest)
 */
public record HttpCompression(int minResponseSize, Set<String> mimeTypes, int level) {
    /** Spring Boot's defaults: 2 KiB, the text and JSON/XML/JavaScript types. */
    public static final HttpCompression DEFAULTS = new HttpCompression(2048, Set.of("text/html", "text/xml",
            "text/plain", "text/css", "text/javascript", "application/javascript", "application/json",
            "application/xml"), 6);

    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    public HttpCompression {
        if (minResponseSize < 0) {
            throw new IllegalArgumentException("minResponseSize must be >= 0, was " + minResponseSize);
        }
        Objects.requireNonNull(mimeTypes, "mimeTypes");
        if (mimeTypes.isEmpty()) {
            throw new IllegalArgumentException("mimeTypes must name at least one media type");
        }
        mimeTypes = Set.copyOf(mimeTypes.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).toList());
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("level must be 1..9, was " + level);
        }
    }

    /**
     * Whether the answer to {@code request} with these response fields is compressed, given the
     * body's length ({@code -1}: streamed, unknown).
     */
    boolean applies(HttpHeaders request, HttpHeaders response, long length) {
        if (length >= 0 && length < minResponseSize || response.contains("Content-Encoding")) {
            return false;
        }
        String type = response.get("Content-Type").map(t -> {
            int semi = t.indexOf(';');
            return (semi < 0 ? t : t.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        }).orElse(null);
        return type != null && mimeTypes.contains(type) && acceptsGzip(request.getAll("Accept-Encoding"));
    }

    /**
     * The body to send for {@code b}: compressed, with the response fields saying so, when this
     * applies; else {@code b} itself.
     */
    ServerResponse.Body apply(ServerResponse.Body b, HttpHeaders request, HttpHeaders response) {
        if (b.whole() != null) {
            if (!applies(request, response, b.whole().remaining())) {
                return b;
            }
            mark(response);
            return new ServerResponse.Body(whole(b.whole()), null, b.sink());
        }
        long declared = -1;                       // streamed without a length: compressed
        java.util.Optional<String> cl = response.get("Content-Length");
        if (cl.isPresent()) {
            try {
                declared = Long.parseLong(cl.get().trim());
            } catch (NumberFormatException e) {
                return b;                         // the framing names the bad value
            }
        }
        if (!applies(request, response, declared)) {
            return b;
        }
        mark(response);
        return new ServerResponse.Body(null, stream(b.stream()), b.sink());
    }

    /** RFC 9110, 12.5.3: gzip (or x-gzip, or *) listed with a q-value above zero. */
    static boolean acceptsGzip(List<String> fields) {
        for (String field : fields) {
            for (String element : field.split(",")) {
                String[] parts = element.split(";");
                String coding = parts[0].trim().toLowerCase(Locale.ROOT);
                if (!coding.equals("gzip") && !coding.equals("x-gzip") && !coding.equals("*")) {
                    continue;
                }
                double q = 1;
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].trim();
                    if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                        try {
                            q = Double.parseDouble(p.substring(2).trim());
                        } catch (NumberFormatException e) {
                            q = 0;   // a q-value that is no number does not accept
                        }
                    }
                }
                if (q > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Marks the response as compressed: its length is no longer the handler's. */
    static void mark(HttpHeaders response) {
        response.remove("Content-Length");
        response.set("Content-Encoding", "gzip");
        if (!response.containsToken("Vary", "Accept-Encoding") && !response.containsToken("Vary", "*")) {
            response.add("Vary", "Accept-Encoding");
        }
    }

    /** A whole body, compressed into one buffer. */
    ByteBuffer whole(ByteBuffer body) {
        Gzip g = new Gzip(level);
        try {
            ByteBuffer out = g.header();
            ByteBuffer deflated = g.deflate(body, Deflater.NO_FLUSH);
            ByteBuffer end = g.finish();
            ByteBuffer all = ByteBuffer.allocate(out.remaining() + deflated.remaining() + end.remaining());
            return all.put(out).put(deflated).put(end).flip();
        } finally {
            g.end();
        }
    }

    /** A streamed body, each buffer compressed and flushed as it arrives. */
    Flux<ByteBuffer> stream(Publisher<? extends ByteBuffer> body) {
        return Flux.using(() -> new Gzip(level),
                g -> Flux.concat(Flux.just(g.header()),
                        Flux.from(body).filter(ByteBuffer::hasRemaining).map(b -> g.deflate(b, Deflater.SYNC_FLUSH)),
                        Flux.defer(() -> Flux.just(g.finish()))),
                Gzip::end);
    }

    /** One body's compressor: deflate without a zlib wrapper, inside gzip's header and trailer (RFC 1952). */
    private static final class Gzip {
        private final Deflater deflater;
        private final CRC32 crc = new CRC32();
        private boolean ended;

        Gzip(int level) {
            deflater = new Deflater(level, true);
        }

        ByteBuffer header() {
            return ByteBuffer.wrap(GZIP_HEADER.clone());
        }

        ByteBuffer deflate(ByteBuffer in, int flush) {
            crc.update(in.duplicate());
            deflater.setInput(in);
            return drain(flush, in.remaining() / 2 + 64, false);
        }

        ByteBuffer finish() {
            deflater.finish();
            ByteBuffer rest = drain(Deflater.NO_FLUSH, 64, true);
            ByteBuffer out = ByteBuffer.allocate(rest.remaining() + 8).put(rest);
            int c = (int) crc.getValue();
            int size = (int) deflater.getBytesRead();   // ISIZE: the input's length modulo 2^32
            out.put((byte) c).put((byte) (c >>> 8)).put((byte) (c >>> 16)).put((byte) (c >>> 24));
            out.put((byte) size).put((byte) (size >>> 8)).put((byte) (size >>> 16)).put((byte) (size >>> 24));
            return out.flip();
        }

        /**
         * What the deflater gives for the input so far: until it needs more input (and, on a
         * flush, has written all it holds), or, {@code finishing}, until the stream is finished.
         */
        private ByteBuffer drain(int flush, int hint, boolean finishing) {
            ByteBuffer out = ByteBuffer.allocate(Math.max(hint, 64));
            while (true) {
                deflater.deflate(out, flush);
                if (out.hasRemaining() && (finishing ? deflater.finished() : deflater.needsInput())) {
                    return out.flip();
                }
                if (!out.hasRemaining()) {
                    out = ByteBuffer.allocate(out.capacity() * 2).put(out.flip());
                }
            }
        }

        void end() {
            if (!ended) {
                ended = true;
                deflater.end();
            }
        }
    }
}
