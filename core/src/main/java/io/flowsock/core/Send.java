package io.flowsock.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;

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
    private static final VarHandle WIP;

    static {
        try {
            WIP = MethodHandles.lookup().findVarHandle(Send.class, "wip", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Signals from threads other than the port, in order; drained on the port thread. Created by
     * the first such signal: a send fed on its own port (an echo) never needs it.
     */
    private volatile ConcurrentLinkedQueue<Object> handoff;
    /** Written by producers (increment) and the drain task (decrement): one drain task at a time. */
    private volatile int wip;

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
        if (channel.port.inPort() && wip == 0) {
            apply(s);              // nothing queued from another thread: order holds
            return;
        }
        ConcurrentLinkedQueue<Object> q = handoff;
        if (q == null) {
            // Signals are serial (Reactive Streams 1.3), so only one thread ever creates the queue.
            q = new ConcurrentLinkedQueue<>();
            handoff = q;
        }
        q.add(s);
        if ((int) WIP.getAndAdd(this, 1) == 0) {
            channel.port.execute(this::drain);
        }
    }

    private void drain() {
        ConcurrentLinkedQueue<Object> q = handoff;
        int missed = 1;
        do {
            Object s;
            while ((s = q.poll()) != null) {
                apply(s);
            }
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
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
