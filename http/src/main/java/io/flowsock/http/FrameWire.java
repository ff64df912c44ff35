package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * A WebSocket's wire: the whole frames its outbound merge emits (a header and its payload may be
 * two buffers), given to {@code conn.send} buffer by buffer, as it asks.
 *
 * <p>It asks the merge for {@value #AHEAD} frames, and again only once it has taken all of them,
 * so every time the merge runs it has room for two: Reactor's merge, asked for one frame at a
 * time, serves the source it served last while that one has a frame ready, and a send that never
 * pauses then kept every pong waiting until it ended (none of 300 pings answered during a
 * 3,000-message stream). Reactor's own flattening ({@code concatMapIterable} with a prefetch above
 * one) would do the same with a padded array queue of 424 bytes that every idle WebSocket would
 * hold; this holds a two-slot ring.
 *
 * <p>The merge never has more than {@value #AHEAD} frames asked for and not yet taken, so the ring
 * cannot overflow. Signals to {@code conn.send} go out from one drain loop at a time.
 */
final class FrameWire extends Flux<ByteBuffer> implements CoreSubscriber<ByteBuffer[]>, Subscription {
    static final int AHEAD = 2;

    private static final AtomicIntegerFieldUpdater<FrameWire> WIP =
            AtomicIntegerFieldUpdater.newUpdater(FrameWire.class, "wip");
    private static final AtomicLongFieldUpdater<FrameWire> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(FrameWire.class, "requested");

    private Publisher<ByteBuffer[]> frames;   // dropped once subscribed: an idle WebSocket holds no operator chain twice
    private CoreSubscriber<? super ByteBuffer> actual;
    private volatile Subscription upstream;
    private volatile int wip;
    private volatile long requested;
    private final ByteBuffer[][] ring = new ByteBuffer[AHEAD][];
    /** Frames put into the ring: written by onNext only (the merge's signals are serial). */
    private volatile long produced;
    private volatile boolean done;
    private Throwable error;               // written before done
    private volatile boolean cancelled;
    // the drain loop's own
    private long consumed;                 // frames taken out of the ring
    private int taken;                     // of the last AHEAD asked for
    private ByteBuffer[] current;          // the frame being given, or null
    private int at;                        // its next buffer

    FrameWire(Publisher<ByteBuffer[]> frames) {
        this.frames = frames;
    }

    @Override
    public void subscribe(CoreSubscriber<? super ByteBuffer> actual) {
        this.actual = actual;
        Publisher<ByteBuffer[]> f = frames;
        frames = null;
        f.subscribe(this);
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        actual.onSubscribe(this);
        s.request(AHEAD);
    }

    @Override
    public void onNext(ByteBuffer[] frame) {
        long p = produced;
        ring[(int) (p % AHEAD)] = frame;
        produced = p + 1;   // the volatile write publishes the slot to the drain
        drain();
    }

    @Override
    public void onError(Throwable e) {
        error = e;
        done = true;
        drain();
    }

    @Override
    public void onComplete() {
        done = true;
        drain();
    }

    @Override
    public void request(long n) {
        if (n > 0) {
            Operators.addCap(REQUESTED, this, n);
            drain();
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
        drain();
    }

    private void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            long r = requested;
            long e = 0;
            while (e != r && !cancelled) {
                if (current == null) {
                    if (consumed == produced) {
                        break;
                    }
                    int slot = (int) (consumed % AHEAD);
                    current = ring[slot];
                    ring[slot] = null;
                    consumed++;
                    at = 0;
                    if (++taken == AHEAD) {
                        taken = 0;
                        upstream.request(AHEAD);   // the ring is empty: room for AHEAD again
                    }
                }
                ByteBuffer b = current[at++];
                if (at == current.length) {
                    current = null;
                }
                actual.onNext(b);
                e++;
            }
            if (cancelled) {
                current = null;
                java.util.Arrays.fill(ring, null);
                return;   // nothing is signalled after a cancel, so the loop is not let go
            }
            boolean d = done;
            if (d && current == null && consumed == produced) {
                Throwable t = error;
                if (t != null) {
                    actual.onError(t);
                } else {
                    actual.onComplete();
                }
                return;
            }
            if (e != 0 && r != Long.MAX_VALUE) {
                REQUESTED.addAndGet(this, -e);
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
