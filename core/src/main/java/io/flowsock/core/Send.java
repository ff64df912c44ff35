package io.flowsock.core;

import io.flowsock.core.internal.HeapCopy;
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
 * thread, even from several at once (a cancel ending the stream while the producer still emits on
 * its own thread). Each signal is handed to the port and applied there once, in the order the
 * signals were handed over; on the port thread, with nothing handed over before, a signal takes
 * effect at once. The first {@code complete} or {@code fail} ends the stream: what comes after it
 * is dropped.
 *
 * <p><b>Buffers.</b> A buffer offered belongs to the channel until {@link SendSource#onSent()} or
 * {@link SendSource#onFailed}; it is written from its position to its limit and not copied. A
 * buffer offered after the stream ended is dropped unwritten.
 *
 * <p><b>Lifecycle.</b> Pending until the streams started before it ended, then active: asked for
 * buffers at most {@code sendCap} ahead of the writes. Ends with exactly one of
 * {@code onSent} and {@code onFailed}.
 */
public final class Send implements OutboundOp {
    private static final Object COMPLETE = new Object();
    private static final VarHandle WIP;
    private static final VarHandle HANDOFF;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WIP = l.findVarHandle(Send.class, "wip", int.class);
            HANDOFF = l.findVarHandle(Send.class, "handoff", ConcurrentLinkedQueue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Channel channel;
    final SendSource source;

    /**
     * Signals from threads other than the port, in order; drained on the port thread. Created by
     * the first such signal, with a compare-and-set since two threads may race to create it: a send
     * fed on its own port (an echo) never needs it.
     */
    private volatile ConcurrentLinkedQueue<Object> handoff;
    /** Written by producers (increment) and the drain task (decrement): one drain task at a time. */
    private volatile int wip;

    // Port thread only.
    long requested;      // buffers asked of the source
    long received;       // buffers the source offered while active
    boolean ended;       // complete or fail was applied, or the channel failed the send: no more offers count

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
            apply(s);              // nothing handed over before: order holds
            return;
        }
        if (s instanceof ByteBuffer b && channel.port.inPort() && channel.in.isLoan(b)) {
            s = HeapCopy.of(b);     // it would be queued past the end of its loan: copy it now
        }
        queue().add(s);
        if ((int) WIP.getAndAdd(this, 1) == 0) {
            channel.port.execute(this::drain);
        }
    }

    @SuppressWarnings("unchecked")
    private ConcurrentLinkedQueue<Object> queue() {
        ConcurrentLinkedQueue<Object> q = handoff;
        if (q == null) {
            ConcurrentLinkedQueue<Object> fresh = new ConcurrentLinkedQueue<>();
            q = (ConcurrentLinkedQueue<Object>) HANDOFF.compareAndExchange(this, null, fresh);
            if (q == null) {
                q = fresh;
            }
        }
        return q;
    }

    /** Applies what was handed over; the buffers among it go out in one gathering write after. */
    private void drain() {
        ConcurrentLinkedQueue<Object> q = handoff;
        Outbound out = channel.out;
        out.cork();
        try {
            int missed = 1;
            do {
                Object s;
                while ((s = q.poll()) != null) {
                    apply(s);
                }
                missed = (int) WIP.getAndAdd(this, -missed) - missed;
            } while (missed != 0);
        } finally {
            out.uncork();
        }
    }

    private void apply(Object s) {
        Outbound out = channel.out;
        if (s instanceof ByteBuffer b) {
            out.offered(this, b);
        } else if (s == COMPLETE) {
            out.completed(this);
        } else {
            out.failed(this, ((Failure) s).error);
        }
    }

    private record Failure(Throwable error) {
    }
}
