package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

/** How a send drives the subscription of its data Publisher, over a real loopback connection. */
class SendMonoTest {
    private DisposableServer server;
    private Connection conn;

    @BeforeEach
    void connectToADrainingPeer() {
        server = TcpServer.create().host("127.0.0.1").port(0).handle(c -> c.inbound().then()).bindNow();
        conn = TcpClient.create().host("127.0.0.1").port(server.port()).sendCap(1).connectNow();
    }

    @AfterEach
    void close() {
        Hooks.resetOnNextDropped();
        Hooks.resetOnErrorDropped();
        Loopback.close(conn, server);
    }

    /**
     * Rule 2.7: calls on a Subscription are serial. The channel requests on its port thread (here
     * because sendCap grows) while the send's own subscriber cancels from another thread; both must
     * not be inside the data Publisher's subscription at once.
     */
    @Test
    void requestAndCancelNeverOverlapOnTheDataSubscription() {
        AtomicReference<String> overlap = new AtomicReference<>();
        for (int i = 0; i < 300 && overlap.get() == null; i++) {
            SlowSubscription probe = new SlowSubscription(overlap);
            Disposable send = conn.send(probe).subscribe(null, e -> { });
            int it = i;
            await(() -> probe.requested.get() > 0, Duration.ofSeconds(10),
                    "the first request of send " + it + ", sendCap " + conn.sendCap());
            int cap = conn.sendCap().cap();
            RaceTestUtils.race(() -> conn.sendCap(cap + 1), send::dispose);
            await(() -> probe.cancelled.get() > 0, Duration.ofSeconds(10), "the data subscription cancelled");
        }
        assertThat(overlap.get()).as("request and cancel inside the subscription at once").isNull();
    }

    @Test
    void aBufferAfterCancelGoesToTheDiscardHookAndAnErrorToOnErrorDropped() {
        List<Object> discarded = new CopyOnWriteArrayList<>();
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        ProbeInput data = new ProbeInput();
        Disposable send = conn.send(data).doOnDiscard(ByteBuffer.class, discarded::add).subscribe(null, e -> { });
        await(() -> data.requested.get() > 0, Duration.ofSeconds(10), "the send's first request");
        send.dispose();
        await(() -> data.cancels.get() > 0, Duration.ofSeconds(10), "the data cancelled");
        ByteBuffer late = Loopback.utf8("late");
        data.subscriber.onNext(late);        // stragglers after cancel are allowed (rule 2.8)
        IllegalStateException error = new IllegalStateException("late");
        data.subscriber.onError(error);
        assertThat(discarded).containsExactly(late);
        assertThat(dropped).containsExactly(error);
    }

    @Test
    void aBufferOrErrorAfterTheDataEndedGoesToOnNextDroppedAndOnErrorDropped() {
        List<Object> droppedNext = new CopyOnWriteArrayList<>();
        List<Throwable> droppedErrors = new CopyOnWriteArrayList<>();
        Hooks.onNextDropped(droppedNext::add);
        Hooks.onErrorDropped(droppedErrors::add);
        ProbeInput data = new ProbeInput();
        StepVerifier.create(conn.send(data))
                .then(() -> await(() -> data.requested.get() > 0, Duration.ofSeconds(10), "the first request"))
                .then(() -> data.next("last"))
                .then(data::complete)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
        ByteBuffer late = Loopback.utf8("late");
        data.subscriber.onNext(late);        // a data Publisher that breaks rule 1.7
        IllegalStateException error = new IllegalStateException("late");
        data.subscriber.onError(error);
        assertThat(droppedNext).containsExactly(late);
        assertThat(droppedErrors).containsExactly(error);
        assertThat(data.cancels).as("the data that ended is never cancelled").hasValue(0);
    }

    /**
     * A cancel of a send whose data already completed (a timeout, zip) lets the write finish and
     * never cancels the data: an ended Publisher owes nothing, and a connection's inbound used as
     * the data (an echo) must not see a cancel after its end.
     */
    @Test
    void cancellingASendWhoseDataEndedNeverCancelsTheData() throws Exception {
        DisposableServer stalled = TcpServer.create().host("127.0.0.1").port(0).handle(c -> Mono.never()).bindNow();
        Connection writer = TcpClient.create().host("127.0.0.1").port(stalled.port()).connectNow();
        try {
            ProbeInput data = new ProbeInput();
            Disposable send = writer.send(data).subscribe(null, e -> { });
            await(() -> data.requested.get() > 0, Duration.ofSeconds(10), "the send's first request");
            data.subscriber.onNext(ByteBuffer.allocate(32 << 20));   // more than loopback's buffers hold
            data.complete();
            send.dispose();
            CountDownLatch portRan = new CountDownLatch(1);
            ((ChannelConnection) writer).channel.port().execute(portRan::countDown);   // after the cancel's task
            assertThat(portRan.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(data.cancels).as("cancels reaching data that had completed").hasValue(0);
        } finally {
            Loopback.close(writer, stalled);
        }
    }

    /** A data Publisher that never emits and whose request and cancel take a while, to catch overlaps. */
    static final class SlowSubscription implements Publisher<ByteBuffer>, Subscription {
        final AtomicLong requested = new AtomicLong();
        final AtomicInteger cancelled = new AtomicInteger();
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicReference<String> overlap;
        private volatile long busy;

        SlowSubscription(AtomicReference<String> overlap) {
            this.overlap = overlap;
        }

        @Override
        public void subscribe(Subscriber<? super ByteBuffer> s) {
            s.onSubscribe(this);
        }

        @Override
        public void request(long n) {
            enter("request(" + n + ") on " + Thread.currentThread().getName());
            requested.addAndGet(n);
            leave();
        }

        @Override
        public void cancel() {
            enter("cancel() on " + Thread.currentThread().getName());
            cancelled.incrementAndGet();
            leave();
        }

        private void enter(String who) {
            if (inside.getAndIncrement() != 0) {
                overlap.compareAndSet(null, who + " while another call was inside");
            }
            long until = System.nanoTime() + 50_000;
            while (System.nanoTime() < until) {
                // busy: BlockHound counts Thread.onSpinWait as blocking, and a port thread runs this
                busy++;
            }
        }

        private void leave() {
            inside.decrementAndGet();
        }
    }
}
