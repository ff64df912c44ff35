package io.flowsock.core;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One outbound stream of a {@link Channel}, fed by its producer. Streams of one channel are
 * written one after another in the order they were started, never interleaved.
 *
 * <p><b>Threading.</b> {@link #offer}, {@link #complete} and {@link #fail} may be called from any
 * thread, one at a time (as Reactive Streams signals are); they are handed to the port in order.
 * On the port thread itself they take effect at once.
 *
 * <p><b>Buffers.</b> A buffer offered belongs to the channel until {@link SendSource#onSent()} or
 * {@link SendSource#onFailed}; it is written from its position to its limit and not copied.
 */
public final class Send {
    private static final Object COMPLETE = new Object();

    final Channel channel;
    final SendSource source;
    /** Signals from threads other than the port, in order; drained on the port thread. */
    private final ConcurrentLinkedQueue<Object> handoff = new ConcurrentLinkedQueue<>();
    /** Written by producers (increment) and the drain task (decrement): one drain task at a time. */
    private final AtomicInteger wip = new AtomicInteger();
    private final Runnable drainTask = this::drain;

    // Port thread only.
    long requested;
    long received;
    boolean ended;

    Send(Channel channel, SendSource source) {
        this.channel = channel;
        this.source = source;
    }

    /** Hands one buffer to the channel. It must have been requested through {@link SendSource#request}. */
    public void offer(ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        signal(buffer);
    }

    /** No more buffers: the stream ends once those offered are written. */
    public void complete() {
        signal(COMPLETE);
    }

    /** The producer failed: the connection is closed abortively and this error reported. */
    public void fail(Throwable error) {
        signal(new Failure(Objects.requireNonNull(error, "error")));
    }

    private void signal(Object s) {
        if (channel.port.inPort() && wip.get() == 0) {
            apply(s);              // nothing queued from another thread: order holds
            return;
        }
        handoff.add(s);
        if (wip.getAndIncrement() == 0) {
            channel.port.execute(drainTask);
        }
    }

    private void drain() {
        int missed = 1;
        do {
            Object s;
            while ((s = handoff.poll()) != null) {
                apply(s);
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private void apply(Object s) {
        if (s instanceof ByteBuffer b) {
            channel.sendOffered(this, b);
        } else if (s == COMPLETE) {
            channel.sendCompleted(this);
        } else {
            channel.sendFailed(this, ((Failure) s).error);
        }
    }

    private record Failure(Throwable error) {
    }
}
