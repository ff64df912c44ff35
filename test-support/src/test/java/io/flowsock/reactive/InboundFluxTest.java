package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;

/**
 * Rule 3.13: a connection's inbound drops its subscriber once the subscription is cancelled or
 * finished, so a connection kept open (or kept around) does not keep the subscriber's graph alive.
 */
class InboundFluxTest {
    private DisposableServer server;
    private Connection conn;

    @BeforeEach
    void connect() {
        // the peer sends one byte and FIN, then waits for the client to close
        server = TcpServer.create().host("127.0.0.1").port(0)
                .handle(c -> c.send(Mono.just(Loopback.utf8("x"))).then(c.shutdownOutput()).then(c.onClose()))
                .bindNow();
        conn = TcpClient.create().host("127.0.0.1").port(server.port()).connectNow();
    }

    @AfterEach
    void close() {
        Loopback.close(conn, server);
    }

    @Test
    void inboundLetsGoOfItsSubscriberOnceCancelled() {
        WeakReference<Object> subscriber = subscribeThen(true);
        awaitCollected(subscriber);
    }

    @Test
    void inboundLetsGoOfItsSubscriberOnceCompleted() {
        WeakReference<Object> subscriber = subscribeThen(false);
        awaitCollected(subscriber);
    }

    /** Subscribes, then cancels after the first buffer or waits for completion; keeps no reference. */
    private WeakReference<Object> subscribeThen(boolean cancel) {
        AtomicBoolean finished = new AtomicBoolean();
        BaseSubscriber<ByteBuffer> s = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                request(Long.MAX_VALUE);
            }

            @Override
            protected void hookOnNext(ByteBuffer b) {
                if (cancel) {
                    cancel();
                    finished.set(true);
                }
            }

            @Override
            protected void hookOnComplete() {
                finished.set(true);
            }
        };
        conn.inbound().subscribe(s);
        await(finished::get, Duration.ofSeconds(10), "the subscriber cancelled or completed");
        return new WeakReference<>(s);
    }

    private static void awaitCollected(WeakReference<Object> ref) {
        await(() -> {
            System.gc();
            return ref.get() == null;
        }, Duration.ofSeconds(10), "the subscriber collected while the connection is still referenced");
    }
}
