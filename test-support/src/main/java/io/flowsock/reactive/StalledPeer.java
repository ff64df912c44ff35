package io.flowsock.reactive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A raw client of an echo that sends {@code bytes} of a pattern unique to each position of its
 * stream (and to its seed) without reading, with a small receive window, so the echo's writes
 * park on a full socket; once its writing is done or blocked (the server stopped reading), it
 * reads everything back and counts the bytes that are not the ones sent at that position.
 */
final class StalledPeer {
    private static final int READ_CHUNK = 64 * 1024;
    /** No progress this long means the server holds all it will take before the peer reads. */
    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final int port;
    private final long seed;
    private final long bytes;
    private final int chunk;
    private final long pauseNanos;
    private final ExecutorService threads;
    /** Written by the writer thread, read by the exchange's thread to see the writing stall. */
    private final AtomicLong written = new AtomicLong();

    /**
     * Sends {@code bytes} in writes of {@code chunk}, pausing {@code pauseNanos} after each (0: none),
     * on threads of {@code threads}.
     */
    StalledPeer(int port, long seed, long bytes, int chunk, long pauseNanos, ExecutorService threads) {
        this.port = port;
        this.seed = seed;
        this.bytes = bytes;
        this.chunk = chunk;
        this.pauseNanos = pauseNanos;
        this.threads = threads;
    }

    /** What came back: the bytes read, how many of them are wrong, and where the first wrong one is (or -1). */
    record Outcome(long read, long wrong, long firstWrong) {
    }

    Outcome exchange() throws Exception {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4 * 1024);   // before connecting: the window the server sees stays small
            s.setTcpNoDelay(true);              // each write its own segment, so reads stay as small as the writes
            s.setSoTimeout(20_000);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            Future<?> writing = threads.submit(() -> write(s));
            awaitStall(writing);
            Outcome o = readBack(s.getInputStream());
            writing.get(20, TimeUnit.SECONDS);
            return o;
        }
    }

    private Void write(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        byte[] data = new byte[chunk];
        for (long off = 0; off < bytes; off += chunk) {
            int n = (int) Math.min(chunk, bytes - off);
            fill(data, off, n);
            out.write(data, 0, n);
            written.set(off + n);
            if (pauseNanos > 0) {
                LockSupport.parkNanos(pauseNanos);
            }
        }
        s.shutdownOutput();
        return null;
    }

    /** Waits until everything is written or the writer made no progress for a while; bounded. */
    private void awaitStall(Future<?> writing) throws Exception {
        long last = -1;
        long since = System.nanoTime();
        long deadline = since + TimeUnit.SECONDS.toNanos(20);
        while (!writing.isDone() && System.nanoTime() < deadline) {
            long now = written.get();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > STALL_NANOS) {
                return;
            }
            Thread.sleep(10);
        }
        if (writing.isDone()) {
            writing.get();   // a writer that failed fails the exchange with its own error
        }
    }

    private Outcome readBack(InputStream in) throws IOException {
        byte[] got = new byte[READ_CHUNK];
        byte[] want = new byte[READ_CHUNK + 8];
        long read = 0;
        long wrong = 0;
        long firstWrong = -1;
        for (int n; (n = in.read(got)) > 0; ) {
            long aligned = read & ~7L;
            int skew = (int) (read - aligned);
            fill(want, aligned, Math.min(want.length, skew + n + 7) & ~7);
            for (int i = 0; i < n; i++) {
                if (read + i < bytes && got[i] == want[skew + i]) {
                    continue;
                }
                if (firstWrong < 0) {
                    firstWrong = read + i;
                }
                wrong++;
            }
            read += n;
        }
        return new Outcome(read, wrong, firstWrong);
    }

    /** The pattern's bytes at stream offsets {@code [from, from + n)}; {@code from} is a multiple of 8. */
    private void fill(byte[] into, long from, int n) {
        ByteBuffer b = ByteBuffer.wrap(into);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            b.putLong(i, word((from + i) >>> 3));
        }
        if (i < n) {
            long w = word((from + i) >>> 3);
            for (int k = 0; i < n; i++, k++) {
                into[i] = (byte) (w >>> (56 - 8 * k));
            }
        }
    }

    /** The 8 bytes at word {@code index} of this peer's stream: distinct per position and per seed. */
    private long word(long index) {
        long x = seed * 0x9E3779B97F4A7C15L + index;
        x = (x ^ (x >>> 33)) * 0xFF51AFD7ED558CCDL;
        return x ^ (x >>> 29);
    }
}
