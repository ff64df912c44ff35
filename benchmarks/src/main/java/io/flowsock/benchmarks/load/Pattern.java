package io.flowsock.benchmarks.load;

import java.util.SplittableRandom;

/**
 * The bytes echo-stream sends: random bytes repeating with a prime period, so a lost, doubled or
 * reordered chunk shifts the stream against the pattern and the next comparison fails. The array
 * is the period plus one chunk, so the {@code len <= chunk} bytes at any stream offset are one
 * contiguous slice: {@code bytes()[offset(pos)] ...}.
 */
public final class Pattern {
    private static final int PERIOD = 1_000_003;
    private final byte[] bytes;

    public Pattern(int chunk) {
        bytes = new byte[PERIOD + chunk];
        new SplittableRandom(42).nextBytes(bytes);
        System.arraycopy(bytes, 0, bytes, PERIOD, chunk);
    }

    public byte[] bytes() {
        return bytes;
    }

    /** Where the byte at stream position {@code pos} sits in {@link #bytes()}. */
    public static int offset(long pos) {
        return (int) (pos % PERIOD);
    }
}
