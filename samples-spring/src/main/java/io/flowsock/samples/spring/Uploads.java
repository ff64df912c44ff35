package io.flowsock.samples.spring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /upload}: the body streamed to a new file in {@code sample.upload.dir} (by default
 * {@code flowsock-uploads} in the temporary directory), answered with the file's name, its size and
 * its SHA-256. The body is never held whole: each buffer is hashed and written as it arrives, and
 * the next is read only once the file has taken it, so a large upload is paced by the disk.
 */
@RestController
public class Uploads {
    /** What an upload became. */
    public record Upload(String file, long bytes, String sha256) {
    }

    private final Path dir;

    public Uploads(@Value("${sample.upload.dir:}") String dir) throws IOException {
        this.dir = Files.createDirectories(dir.isEmpty()
                ? Path.of(System.getProperty("java.io.tmpdir"), "flowsock-uploads") : Path.of(dir));
    }

    @PostMapping("/upload")
    public Mono<Upload> upload(@RequestBody Flux<DataBuffer> body) {
        // creating and opening a file block: off the server's threads
        return Mono.fromCallable(() -> Files.createTempFile(dir, "upload-", ".bin"))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(file -> store(body, file));
    }

    private static Mono<Upload> store(Flux<DataBuffer> body, Path file) {
        MessageDigest sha = sha256();
        long[] bytes = {0};   // the body's signals are serial
        Flux<DataBuffer> hashed = body.doOnNext(b -> {
            bytes[0] += b.readableByteCount();
            try (DataBuffer.ByteBufferIterator views = b.readableByteBuffers()) {
                while (views.hasNext()) {
                    ByteBuffer view = views.next();
                    sha.update(view);
                }
            }
        });
        return DataBufferUtils.write(hashed, file)
                .then(Mono.fromSupplier(() -> new Upload(file.getFileName().toString(), bytes[0],
                        HexFormat.of().formatHex(sha.digest()))))
                .onErrorResume(e -> Mono.fromRunnable(() -> delete(file))
                        .subscribeOn(Schedulers.boundedElastic())
                        .then(Mono.error(e)));
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the partial upload " + file, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
