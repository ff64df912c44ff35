package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * echo-stream: one connection; a writer thread sends {@code bytes} of {@link Pattern} in 64 KiB
 * writes while the main thread reads the echo and compares every byte. Only after the last byte
 * came back does the client shut down output and wait for the server's EOF, so no contender's
 * reaction to a half-close can lose data. Warm-up connections of {@code warmup_bytes} go first, as many as the
 * runner asks for (until the server's JIT is quiet).
 */
final class EchoStreamLoad {
    private static final int READ_TIMEOUT_MS = 10_000;

    private EchoStreamLoad() {
    }

    static Metrics run(InetSocketAddress server, Params p) throws Exception {
        long bytes = p.num("bytes");
        Pattern pattern = new Pattern(Protocol.CHUNK);
        do {
            echo(server, p.num("warmup_bytes"), pattern);
        } while (Control.warmAgain());
        Control.mark("begin");
        long t0 = System.nanoTime();
        echo(server, bytes, pattern);
        long t1 = System.nanoTime();
        Control.mark("end");
        double seconds = (t1 - t0) / 1e9;
        return Metrics.throughput(bytes, seconds);   // a mismatch throws: the run fails
    }

    private static void echo(InetSocketAddress server, long bytes, Pattern pattern) throws Exception {
        byte[] data = pattern.bytes();
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.connect(server, READ_TIMEOUT_MS);
            AtomicReference<Throwable> writeError = new AtomicReference<>();
            OutputStream out = s.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    for (long sent = 0; sent < bytes; ) {
                        int len = (int) Math.min(Protocol.CHUNK, bytes - sent);
                        out.write(data, Pattern.offset(sent), len);
                        sent += len;
                    }
                } catch (IOException e) {
                    writeError.set(e);
                }
            }, "echo-writer");
            writer.start();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[Protocol.CHUNK];
            for (long received = 0; received < bytes; ) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, bytes - received));
                if (n < 0) {
                    throw new IOException("EOF after " + received + " of " + bytes + " echoed bytes"
                            + (writeError.get() != null ? "; writer: " + writeError.get() : ""));
                }
                int at = Pattern.offset(received);
                int diff = Arrays.mismatch(buf, 0, n, data, at, at + n);
                if (diff >= 0) {
                    throw new IOException("echoed byte " + (received + diff) + " differs from the byte sent");
                }
                received += n;
            }
            writer.join();
            if (writeError.get() != null) {
                throw new IOException("writer failed", writeError.get());
            }
            s.shutdownOutput();
            if (in.read() != -1) {
                throw new IOException("echo server sent more bytes than it received");
            }
        }
    }
}
