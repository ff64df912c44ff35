package io.flowsock.core.internal;

/**
 * Automatic Burst Detection, IOCPSOCK's rule for how many receive buffers to post: after a read
 * that filled every posted buffer, double the count (up to the cap); after one that filled less
 * than half of them, halve it (not below 1). The count is only ever the ceiling: a read posts no
 * more buffers than the subscriber's outstanding demand.
 *
 * <p>Below one large buffer there is one more rung: a small buffer. A connection starts there and
 * drops back there when a single-buffer read brings no more than a small buffer holds, so an idle
 * connection waiting for its next message never pins a large buffer.
 *
 * <p>A completion into small buffers while on the large rungs (io_uring's multishot receive hands
 * the 1 KiB buffers it filled meanwhile to whatever read is posted next) teaches nothing: full
 * small buffers are not full large ones, so they never double the count.
 *
 * <p>Not final: the core's inbound side extends it, so a connection's input is one object.
 *
 * <p>Runs only on its connection's port thread, except {@link #cap()}, {@link #cap(int)} and
 * {@link #peek}, which any thread may call (a {@code Tunable} query, a live change).
 */
public class BurstDetector {
    private volatile int cap;      // written by any thread (a live change), read on the port thread and by queries
    private int count = 1;         // port thread only
    private boolean small = true;  // port thread only
    // Written on the port after every change of count or small, read by peek() on any thread: one
    // int holds the whole choice (0 = the small rung, else the count), so a query never sees half of it.
    private volatile int published = 0;

    public BurstDetector(int cap) {
        this.cap = cap;
    }

    public int cap() {
        return cap;
    }

    /** Changes the cap from the next read; 1 turns ABD off. Any thread. */
    public void cap(int newCap) {
        cap = newCap;
    }

    /**
     * Buffers the next read will post, given the outstanding demand and the backend's scatter
     * width: 0 without demand, 1 on the small rung.
     */
    public int next(long demand, int maxScatter) {
        if (demand <= 0) {
            return 0;
        }
        if (small) {
            return 1;                                   // the small rung is one small buffer
        }
        return (int) Math.min(Math.min(count, cap), Math.min(demand, maxScatter));
    }

    /** Whether the next read uses a small buffer (it then posts exactly one). */
    public boolean small() {
        return small;
    }

    /**
     * {@link #next} as seen from any thread, from what the port last published: the answer a read
     * posted now would get, give or take a read completing meanwhile.
     */
    public int peek(long demand, int maxScatter) {
        if (demand <= 0) {
            return 0;
        }
        int p = published;
        if (p == 0) {
            return 1;
        }
        return (int) Math.min(Math.min(p, cap), Math.min(demand, maxScatter));
    }

    /** The current count, before the demand limit. */
    public int count() {
        return Math.min(count, cap);
    }

    /**
     * Learns from a completed read of {@code posted} buffers of {@code bufferSize} bytes each;
     * buffers no larger than {@code smallSize} are small ones, whatever the read asked for.
     */
    public void record(int posted, int bufferSize, long bytes, int smallSize) {
        int cap = this.cap;
        count = Math.min(count, cap);
        long capacity = (long) posted * bufferSize;
        if (bufferSize <= smallSize && !small) {
            // small buffers answering a large read (parked multishot data): no evidence either way
        } else if (bytes >= capacity) {
            if (small) {
                small = false;                       // outgrew the small rung: a large buffer next
            } else {
                count = Math.min(posted * 2, cap);
            }
        } else if (bytes * 2 < capacity) {
            count = Math.max(1, count / 2);
            if (posted == 1 && !small && bytes <= smallSize) {
                small = true;                        // trickling: back to the small rung
            }
        }
        int p = small ? 0 : count;
        if (published != p) {
            published = p;
        }
    }
}
