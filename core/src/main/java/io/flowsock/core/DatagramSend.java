package io.flowsock.core;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One outbound stream of a {@link DatagramEndpoint}, fed by its producer. Streams of one endpoint
 * are sent one after another in the order they were started.
 *
 * <p><b>Threading.</b> {@link #offer}, {@link #complete} and {@link #fail} may be called from any
 * thread; each signal is applied on the endpoint's port once, in the order handed over. The first
 * {@code complete} or {@code fail} ends the stream: what comes after it is dropped.
 *
 * <p><b>Buffers.</b> A datagram offered belongs to the endpoint until {@link DatagramSource#onSent()}
 * or {@link DatagramSource#onFailed}; it is not copied.
 *
 * <p><b>Lifecycle.</b> Pending until the streams started before it ended, then active: asked for
 * datagrams at most {@code sendCap} ahead of their hand-over to the kernel. Ends with exactly one
 * of {@code onSent} and {@code onFailed}.
 */
public final class DatagramSend {
    private static final Object COMPLETE = new Object();

    final DatagramEndpoint endpoint;
    final DatagramSource source;
    private final ConcurrentLinkedQueue<Object> handoff = new ConcurrentLinkedQueue<>();
    /** Incremented by each signal handed over, decremented by the drain: one drain task at a time. */
    private final AtomicInteger wip = new AtomicInteger();

    // Port thread only.
    long requested;          // datagrams asked of the source
    long done;               // datagrams handed to the kernel (or refused)
    long offered;            // datagrams the source offered: never more than requested
    boolean completed;       // the producer said complete
    boolean ended;           // finished or failed: no more offers count
    Throwable failure;       // set when the stream fails while a send of its datagrams is posted

    DatagramSend(DatagramEndpoint endpoint, DatagramSource source) {
        this.endpoint = endpoint;
        this.source = source;
    }

    /** Hands one datagram to the endpoint. It must have been requested through {@link DatagramSource#request}. */
    public void offer(Datagram datagram) {
        signal(Objects.requireNonNull(datagram, "datagram"));
    }

    /** No more datagrams: the stream ends once those offered are sent. */
    public void complete() {
        signal(COMPLETE);
    }

    /** The producer failed: the stream ends with this error, the endpoint stays open. */
    public void fail(Throwable error) {
        signal(new Failure(Objects.requireNonNull(error, "error")));
    }

    private void signal(Object s) {
        CompletionPort port = endpoint.port;
        if (port.inPort() && wip.get() == 0) {
            apply(s);            // nothing handed over before: order holds
            return;
        }
        handoff.add(s);
        if (wip.getAndIncrement() == 0) {
            port.execute(this::drain);
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
        DatagramOutbound out = endpoint.out;
        if (s instanceof Datagram d) {
            out.offered(this, d);
        } else if (s == COMPLETE) {
            out.completed(this);
        } else {
            out.failed(this, ((Failure) s).error);
        }
    }

    private record Failure(Throwable error) {
    }
}
