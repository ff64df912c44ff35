package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * A WebSocket's sends, one after another, until {@link #cut}: then the send running is cancelled,
 * those not begun are never subscribed, and the close frame goes out as the stream's last item,
 * when demand allows, so what the sends emitted before the cut stays ahead of it. With
 * {@code takeUntilOther}, a sink and a {@code concat} with the close frame, every idle WebSocket
 * held about 330 bytes of operators (jmap, 2,000 idle WebSockets); this is one object.
 *
 * <p>The sends' signals come on their own threads, the cut from the connection's loop: a
 * half-serializer (a counter taken by whichever signals) keeps a completion from overlapping a
 * frame. A frame a send emits while the cut is completing the stream is dropped, as its send is
 * being cancelled anyway.
 */
final class SendsCut extends Flux<ByteBuffer[]> implements CoreSubscriber<ByteBuffer[]>, Subscription {
    private static final AtomicIntegerFieldUpdater<SendsCut> WIP =
            AtomicIntegerFieldUpdater.newUpdater(SendsCut.class, "wip");
    private static final AtomicIntegerFieldUpdater<SendsCut> CLOSE =
            AtomicIntegerFieldUpdater.newUpdater(SendsCut.class, "close");
    private static final AtomicLongFieldUpdater<SendsCut> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(SendsCut.class, "requested");

    private Publisher<ByteBuffer[]> sends;   // dropped once subscribed
    private CoreSubscriber<? super ByteBuffer[]> actual;
    private volatile Subscription upstream;
    private volatile int wip;
    private volatile boolean cut;
    private volatile boolean ended;
    private Throwable error;
    private volatile long requested;       // downstream's demand not yet met
    private volatile int close;            // 0, 1: the close frame waits for demand, 2: it went out
    private volatile ByteBuffer[] closeFrame;

    SendsCut(Publisher<ByteBuffer[]> sends) {
        this.sends = sends;
    }

    @Override
    public void subscribe(CoreSubscriber<? super ByteBuffer[]> actual) {
        this.actual = actual;
        Publisher<ByteBuffer[]> s = sends;
        sends = null;
        s.subscribe(this);
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream = s;
        actual.onSubscribe(this);
        if (cut) {
            s.cancel();
        }
    }

    @Override
    public void onNext(ByteBuffer[] frame) {
        if (WIP.compareAndSet(this, 0, 1)) {
            REQUESTED.decrementAndGet(this);
            actual.onNext(frame);
            if (WIP.decrementAndGet(this) != 0) {
                end();   // the cut or the end came while the frame went out: theirs now
            }
        }
    }

    @Override
    public void onError(Throwable e) {
        error = e;
        if (WIP.getAndIncrement(this) == 0) {
            end();
        }
    }

    @Override
    public void onComplete() {
        if (WIP.getAndIncrement(this) == 0) {
            end();
        }
    }

    /** Cancels the send running and ends the stream with {@code closeFrame} (any thread, once). */
    void cut(ByteBuffer[] closeFrame) {
        this.closeFrame = closeFrame;
        cut = true;
        Subscription s = upstream;
        if (s != null) {
            s.cancel();
        }
        if (WIP.getAndIncrement(this) == 0) {
            end();
        }
    }

    /** Whether {@code frame} is the close frame the cut ended the stream with: the merged wire ends after it. */
    boolean isCloseFrame(ByteBuffer[] frame) {
        return frame == closeFrame;
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (cut) {
            close = 1;
            sendClose();
        } else if (error != null) {
            actual.onError(error);
        } else {
            actual.onComplete();
        }
    }

    /** The close frame, then the end, once there is demand for it: whichever of end and request comes last. */
    private void sendClose() {
        if (close == 1 && requested > 0 && CLOSE.compareAndSet(this, 1, 2)) {
            actual.onNext(closeFrame);
            actual.onComplete();
        }
    }

    @Override
    public void request(long n) {
        reactor.core.publisher.Operators.addCap(REQUESTED, this, n);
        if (ended) {
            sendClose();
        } else {
            upstream.request(n);
        }
    }

    @Override
    public void cancel() {
        cut = true;
        upstream.cancel();
    }
}
