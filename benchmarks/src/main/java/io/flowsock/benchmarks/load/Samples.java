package io.flowsock.benchmarks.load;

import java.util.Arrays;

/**
 * Latency samples in nanoseconds, kept whole (not bucketed) so percentiles are exact. Bounded:
 * past {@code cap} samples it stops recording and counts what it dropped. One writer thread per
 * instance; merge after the writers are joined.
 */
final class Samples {
    private final int cap;
    private long[] values = new long[1024];
    private int size;
    private long dropped;

    Samples(int cap) {
        this.cap = cap;
    }

    void add(long nanos) {
        if (size == values.length) {
            if (size >= cap) {
                dropped++;
                return;
            }
            values = Arrays.copyOf(values, (int) Math.min(cap, 2L * size));
        }
        values[size++] = nanos;
    }

    int size() {
        return size;
    }

    long dropped() {
        return dropped;
    }

    static Samples merge(Iterable<Samples> parts) {
        int total = 0;
        for (Samples p : parts) {
            total += p.size;
        }
        Samples all = new Samples(Math.max(total, 1));
        all.values = new long[Math.max(total, 1)];
        for (Samples p : parts) {
            System.arraycopy(p.values, 0, all.values, all.size, p.size);
            all.size += p.size;
            all.dropped += p.dropped;
        }
        return all;
    }

    /** The smallest sample that at least {@code q} of all samples are at or below; 0 when empty. */
    long percentile(double q) {
        if (size == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * size);
        return sorted[Math.max(0, Math.min(size, rank) - 1)];
    }
}
