package io.flowsock.uring;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * Keeps every byte it is given and requests nothing by itself. Counts onNext calls against the
 * requests a test records in {@link #requested}, for tests that count demand.
 */
final class Recorder extends BaseSubscriber<ByteBuffer> {
    final CompletableFuture<Subscription> subscribed = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AtomicLong requested = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong overrun = new AtomicLong();
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();

    @Override
    protected void hookOnSubscribe(Subscription s) {
        subscribed.complete(s);                 // no request: demand starts at zero
    }

    @Override
    protected void hookOnNext(ByteBuffer b) {
        if (delivered.incrementAndGet() > requested.get() && requested.get() > 0) {
            overrun.incrementAndGet();
        }
        synchronized (got) {
            got.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        }
    }

    @Override
    protected void hookOnComplete() {
        done.complete(null);
    }

    @Override
    protected void hookOnError(Throwable e) {
        done.completeExceptionally(e);
    }

    long received() {
        synchronized (got) {
            return got.size();
        }
    }

    byte[] bytes() {
        synchronized (got) {
            return got.toByteArray();
        }
    }
}
