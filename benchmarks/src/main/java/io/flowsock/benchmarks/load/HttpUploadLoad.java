package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import io.flowsock.benchmarks.server.HttpRoutes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * http-upload: one {@code POST /upload} of {@code bytes}, streamed from memory in 64 KiB writes
 * with Content-Length, on a fresh connection; the clock runs from the head's first byte to the
 * answer, which must be the byte count. Warm-up uploads of {@code warmup_bytes} go first, as
 * many as the runner asks for. Server CPU is counted per GiB.
 */
final class HttpUploadLoad {
    private HttpUploadLoad() {
    }

    static Metrics run(InetSocketAddress server, Params p) throws IOException {
        byte[] chunk = new Pattern(Protocol.CHUNK).bytes();
        long errors = 0;
        do {
            errors += upload(server, p.num("warmup_bytes"), chunk);
        } while (Control.warmAgain());
        long bytes = p.num("bytes");
        Control.mark("begin");
        long t0 = System.nanoTime();
        errors += upload(server, bytes, chunk);
        long t1 = System.nanoTime();
        Control.mark("end");
        return Metrics.throughput(bytes, (t1 - t0) / 1e9).put("err_response", errors);
    }

    /** 0 when the server answered 200 with the byte count, else 1 (and an error line). */
    private static int upload(InetSocketAddress server, long bytes, byte[] chunk) throws IOException {
        try (HttpConnection c = new HttpConnection(server)) {
            OutputStream body = c.post(HttpRoutes.UPLOAD_PATH, bytes);
            for (long sent = 0; sent < bytes; ) {
                int len = (int) Math.min(Protocol.CHUNK, bytes - sent);
                body.write(chunk, 0, len);
                sent += len;
            }
            body.flush();
            HttpConnection.Response r = c.read();
            if (r.status() != 200 || !r.body().equals(Long.toString(bytes))) {
                Control.error("upload of " + bytes + " bytes answered " + r);
                return 1;
            }
            return 0;
        }
    }
}
