package io.flowsock.spring.boot;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.CrossOrigin;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Bodies of the kinds applications send and receive: forms, multipart uploads, large and endless
 * downloads. The counters and latches are what the tests observe of the server's side.
 */
@RestController
public class BodyEndpoints {
    /** Size of each buffer /download produces. */
    static final int CHUNK = 64 * 1024;
    /** Bytes /download has produced so far; reset by the test that reads it. */
    static final AtomicLong produced = new AtomicLong();
    /** Counted down when an endless stream is cancelled; replaced by each test that waits for it. */
    static volatile CountDownLatch cancelled = new CountDownLatch(1);

    public record Order(String item, int quantity, List<String> notes) {
    }

    /** Every field of an urlencoded form, sorted by name, values in the order they came. */
    @PostMapping(value = "/form", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    public Mono<String> form(ServerWebExchange exchange) {
        return exchange.getFormData().map(form -> new TreeMap<>(form).toString());
    }

    /** The same form bound onto a record, as {@code @ModelAttribute} binds request parameters. */
    @PostMapping(value = "/order", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    public Order order(@ModelAttribute Order order) {
        return order;
    }

    /** Each part: its name, the file name of a file part, its size and its SHA-256, one line each. */
    @PostMapping(value = "/parts", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public Mono<String> parts(ServerWebExchange exchange) {
        return exchange.getMultipartData().flatMapMany(BodyEndpoints::sortedParts)
                .concatMap(part -> digest(part.content()).map(d -> describe(part, d)))
                .reduce("", String::concat);
    }

    private static Flux<Part> sortedParts(MultiValueMap<String, Part> parts) {
        return Flux.fromIterable(new TreeMap<>(parts).values()).flatMapIterable(list -> list);
    }

    private static String describe(Part part, Digest d) {
        String file = part instanceof FilePart f ? " file " + f.filename() : "";
        return part.name() + file + " " + d.size() + " " + d.sha256() + "\n";
    }

    record Digest(long size, String sha256) {
    }

    /** Size and SHA-256 of a body, read buffer by buffer: nothing held beyond one buffer. */
    static Mono<Digest> digest(Flux<DataBuffer> body) {
        return Mono.defer(() -> {
            MessageDigest sha = sha256();
            long[] size = {0};
            return body.doOnNext(b -> {
                byte[] bytes = new byte[b.readableByteCount()];
                b.read(bytes);
                DataBufferUtils.release(b);
                sha.update(bytes);
                size[0] += bytes.length;
            }).then(Mono.fromSupplier(() -> new Digest(size[0], HexFormat.of().formatHex(sha.digest()))));
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A resource with two methods, for OPTIONS to list; GET is open to one other origin (CORS). */
    @CrossOrigin(origins = "https://app.example", methods = {org.springframework.web.bind.annotation.RequestMethod.GET})
    @GetMapping("/resource")
    public String resource() {
        return "resource";
    }

    @PutMapping("/resource")
    public Mono<String> replace() {
        return Mono.just("replaced");
    }

    /**
     * {@code mib} MiB in 64 KiB buffers, each made only when the server asks for it; byte n of the
     * body is {@code n % 251}, so a buffer lost, repeated or reordered shows.
     */
    @GetMapping(value = "/download", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    public Flux<DataBuffer> download(@RequestParam("mib") int mib) {
        long total = (long) mib << 20;
        return Flux.<DataBuffer, Long>generate(() -> 0L, (offset, sink) -> {
            if (offset == total) {
                sink.complete();
                return offset;
            }
            byte[] bytes = new byte[CHUNK];
            for (int i = 0; i < CHUNK; i++) {
                bytes[i] = (byte) ((offset + i) % 251);
            }
            produced.addAndGet(CHUNK);
            sink.next(DefaultDataBufferFactory.sharedInstance.wrap(bytes));
            return offset + CHUNK;
        });
    }

    /**
     * A line every 10 ms, for ever: only the client going away ends it. Made on demand and then
     * delayed (not Flux.interval, which fails when a tick finds no demand, as it may while Spring
     * commits the response).
     */
    @GetMapping(value = "/endless/lines", produces = MediaType.TEXT_PLAIN_VALUE)
    public Flux<String> endlessLines() {
        return Flux.<String, Long>generate(() -> 0L, (i, sink) -> {
            sink.next("line " + i + "\n");
            return i + 1;
        }).delayElements(Duration.ofMillis(10)).doOnCancel(() -> cancelled.countDown());
    }

    /** 64 KiB buffers as fast as the client takes them, for ever. */
    @GetMapping(value = "/endless/bytes", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    public Flux<DataBuffer> endlessBytes() {
        return Flux.<DataBuffer>generate(sink -> sink.next(DefaultDataBufferFactory.sharedInstance.wrap(new byte[CHUNK])))
                .doOnCancel(() -> cancelled.countDown());
    }
}
