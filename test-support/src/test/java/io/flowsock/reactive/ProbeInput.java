package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.utf8;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * An input the test drives by hand, recording what reaches its subscription; {@code overlap}
 * records a call entering while another is inside, and a request stays inside until
 * {@code lingerUntil} holds (bounded) so an overlapping cancel cannot slip past.
 */
final class ProbeInput implements Publisher<ByteBuffer>, Subscription {
    final AtomicLong requested = new AtomicLong();
    final AtomicInteger cancels = new AtomicInteger();
    private final AtomicInteger inside = new AtomicInteger();
    volatile AtomicReference<String> overlap = new AtomicReference<>();
    volatile AtomicBoolean lingerUntil;
    volatile Subscriber<? super ByteBuffer> subscriber;
    private volatile long busy;

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> s) {
        subscriber = s;
        s.onSubscribe(this);
    }

    void next(String text) {
        subscriber.onNext(utf8(text));
    }

    void next(byte[] bytes) {
        subscriber.onNext(ByteBuffer.wrap(bytes));
    }

    void complete() {
        subscriber.onComplete();
    }

    @Override
    public void request(long n) {
        enter("request(" + n + ")");
        requested.addAndGet(n);
        AtomicBoolean until = lingerUntil;
        for (int i = 0; until != null && !until.get() && i < 2_000_000; i++) {
            busy++;   // not Thread.onSpinWait, which BlockHound counts as blocking
        }
        inside.decrementAndGet();
    }

    @Override
    public void cancel() {
        enter("cancel()");
        cancels.incrementAndGet();
        inside.decrementAndGet();
    }

    private void enter(String who) {
        if (inside.getAndIncrement() != 0) {
            overlap.compareAndSet(null, who + " on " + Thread.currentThread().getName()
                    + " while another call was inside");
        }
    }
}
