package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * stream: one connection, {@code bytes} in 64 KiB writes to a discarding server, then FIN. The
 * clock stops at the server's EOF, which it sends only after reading everything. Warm-up
 * connections of {@code warmup_bytes} go first, as many as the runner asks for (until the
 * server's JIT is quiet). How the bytes go is a {@link Sender}: plain TCP here, TLS in {@link TlsDialer}.
 */
final class StreamLoad {
    private StreamLoad() {
    }

    /** Sends {@code bytes} on a new connection, then FIN, and returns at the server's EOF. */
    interface Sender {
        void send(InetSocketAddress server, long bytes) throws IOException;
    }

    static Metrics run(InetSocketAddress server, Params p) throws IOException {
        return run(server, p, StreamLoad::send);
    }

    static Metrics run(InetSocketAddress server, Params p, Sender sender) throws IOException {
        long bytes = p.num("bytes");
        do {
            sender.send(server, p.num("warmup_bytes"));
        } while (Control.warmAgain());
        Control.mark("begin");
        long t0 = System.nanoTime();
        sender.send(server, bytes);
        long t1 = System.nanoTime();
        Control.mark("end");
        double seconds = (t1 - t0) / 1e9;
        return Metrics.throughput(bytes, seconds);
    }

    private static void send(InetSocketAddress server, long bytes) throws IOException {
        try (SocketChannel ch = SocketChannel.open(server)) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer chunk = ByteBuffer.allocateDirect(Protocol.CHUNK);
            byte[] data = new Pattern(Protocol.CHUNK).bytes();
            chunk.put(data, 0, Protocol.CHUNK);
            for (long sent = 0; sent < bytes; ) {
                int len = (int) Math.min(Protocol.CHUNK, bytes - sent);
                chunk.clear().limit(len);
                while (chunk.hasRemaining()) {
                    ch.write(chunk);
                }
                sent += len;
            }
            ch.shutdownOutput();
            ByteBuffer rest = ByteBuffer.allocate(64);
            int n = ch.read(rest);
            if (n != -1) {
                throw new IOException("discard server sent " + n + " bytes instead of EOF");
            }
        }
    }
}
