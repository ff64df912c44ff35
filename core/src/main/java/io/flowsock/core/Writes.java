package io.flowsock.core;

import io.flowsock.core.internal.HeapCopy;
import io.flowsock.core.spi.WriteCompletion;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The buffers a channel has queued for writing, in order, and the one gathering write in flight:
 * {@link Outbound}'s byte side. A write takes up to {@code maxGather} queued buffers; a short
 * write leaves the head half written and the next write starts there. Buffers are counted as
 * they are queued and as they are retired, fully written, so that an operation queued behind the
 * first {@code n} buffers knows when they are out. A receive buffer on loan queued here goes back
 * to the backend once written ({@link Loans}).
 *
 * <p>Runs only on its channel's port thread.
 */
final class Writes implements WriteCompletion {
    private static final ByteBuffer[] NO_BUFFERS = new ByteBuffer[0];
    private static final ArrayDeque<ByteBuffer> EMPTY = new ArrayDeque<>(0);
    /** A channel's until it queues its first buffer: empty, nothing pending; never added to. */
    static final Writes NONE = new Writes(null, null);

    private final Channel channel;
    private final Outbound out;
    // In order; the head may be half written. EMPTY (shared, never written) until the first buffer
    // is queued.
    private ArrayDeque<ByteBuffer> unwritten = EMPTY;
    private long queued;                 // buffers ever queued: the position an operation waits for
    private long written;                // buffers ever fully written and retired
    private ByteBuffer[] gather = NO_BUFFERS;   // the write in flight's buffers; grown on the first write
    private int gathered;
    private boolean pending;             // a write is posted and not completed
    private Loans loans;                 // receive buffers queued here on loan; created by the first loan

    Writes(Channel channel, Outbound out) {
        this.channel = channel;
        this.out = out;
    }

    /** Queues {@code b} behind the others; the inbound's loan is taken over, or copied if it was already. */
    void add(ByteBuffer b) {
        if (channel.in.isLoan(b)) {
            if (channel.in.takeLoan()) {
                if (loans == null) {
                    loans = new Loans(channel.io);
                }
                loans.queued(b);
            } else {
                b = HeapCopy.of(b);          // offered twice: only one entry may give it back
            }
        }
        if (unwritten == EMPTY) {
            unwritten = new ArrayDeque<>(4);
        }
        unwritten.add(b);
        queued++;
    }

    long queued() {
        return queued;
    }

    long written() {
        return written;
    }

    boolean isEmpty() {
        return unwritten.isEmpty();
    }

    boolean isPending() {
        return pending;
    }

    /** Retires the head if the last write finished it; false when there is none or it is not. */
    boolean retireHead() {
        ByteBuffer head = unwritten.peek();
        if (head == null || head.hasRemaining()) {
            return false;
        }
        unwritten.poll();
        if (loans != null) {
            loans.written(head);
        }
        written++;
        return true;
    }

    /** Posts one gathering write of the queued buffers. */
    void start() {
        int n = 0;
        int max = channel.caps.maxGather();
        for (ByteBuffer b : unwritten) {
            if (b.hasRemaining()) {
                if (n == gather.length) {
                    gather = Arrays.copyOf(gather, Math.min(max, Math.max(4, n * 2)));
                }
                gather[n++] = b;
                if (n == max) {
                    break;
                }
            }
        }
        gathered = n;
        pending = true;
        channel.watchdogs.writeActivity();
        if (channel.observer != null) {
            channel.observer.writePosted(channel, gather, 0, n);
        }
        channel.io.write(gather, 0, n, this);
    }

    @Override
    public void completed(long bytes) {
        pending = false;
        Arrays.fill(gather, 0, gathered, null);
        channel.watchdogs.writeActivity();
        if (channel.observer != null) {
            channel.observer.writeCompleted(channel, bytes);
        }
        if (!channel.isClosed()) {
            out.pump();
        }
    }

    @Override
    public void failed(Throwable error) {
        pending = false;
        Arrays.fill(gather, 0, gathered, null);
        if (!channel.isClosed()) {
            channel.failed(error);
        }
    }

    /** The channel was released: nothing is written any more, and the loans go back to the backend. */
    void clear() {
        if (unwritten != EMPTY) {
            unwritten.clear();
        }
        if (loans != null) {
            loans.releaseAll();
        }
    }
}
