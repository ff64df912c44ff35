package io.flowsock.spring.messaging;

import io.flowsock.reactive.Connection;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.messaging.Message;
import org.springframework.messaging.tcp.TcpConnection;
import org.springframework.messaging.tcp.TcpConnectionHandler;
import org.springframework.messaging.tcp.reactor.TcpMessageCodec;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * One flowsock {@link Connection} as Spring's {@link TcpConnection}: messages encoded by the codec
 * and sent in the order {@link #sendAsync} is called, received buffers decoded and handed to the
 * handler one message at a time.
 *
 * <p><b>Threading.</b> The handler's {@code handleMessage}, {@code handleFailure} and
 * {@code afterConnectionClosed} run on the connection's port thread, one at a time: they must not
 * block. Every method here may be called from any thread. Inactivity tasks run on the client's
 * scheduler.
 *
 * <p><b>Lifecycle.</b> Reading starts with {@link #start()}. The peer's close, or {@link #close()},
 * ends with {@code afterConnectionClosed()} once the connection is closed; a read error or a
 * message the codec cannot decode with {@code handleFailure(error)}, the connection closed at once.
 * Exactly one of the two is called.
 */
final class FlowsockTcpConnection<P> implements TcpConnection<P> {
    private static final Logger LOG = Loggers.getLogger(FlowsockTcpConnection.class);

    private final Connection conn;
    private final TcpMessageCodec<P> codec;
    private final Cumulation<P> cumulation;
    private final Scheduler scheduler;
    /** Added to by any thread, read when reads or writes happen and at close. */
    private final List<InactivityWatch> readWatches = new CopyOnWriteArrayList<>();
    private final List<InactivityWatch> writeWatches = new CopyOnWriteArrayList<>();
    /** Emitted by the inbound's terminal callback, after the handler's; read by {@link #ended()}. */
    private final Sinks.Empty<Void> ended = Sinks.empty();
    /** Set by start (before any reader of ended() can see this connection in a shutdown). */
    private volatile boolean started;

    FlowsockTcpConnection(Connection conn, TcpMessageCodec<P> codec, int maxFrameLength, Scheduler scheduler) {
        this.conn = conn;
        this.codec = codec;
        this.cumulation = new Cumulation<>(codec, maxFrameLength);
        this.scheduler = scheduler;
    }

    /** Reads and decodes until the connection ends, reporting to {@code handler}. */
    void start(TcpConnectionHandler<P> handler) {
        started = true;
        conn.onClose().subscribe(null, null, this::stopWatches);
        conn.inbound().concatMapIterable(this::decode, 1).subscribe(
                handler::handleMessage,
                error -> {
                    conn.dispose();
                    try {
                        handler.handleFailure(error);
                    } finally {
                        ended.tryEmitEmpty();
                    }
                },
                () -> {
                    if (cumulation.pending() > 0) {
                        LOG.warn("flowsock: {} ended inside a message; {} bytes of it were dropped", conn,
                                cumulation.pending());
                    }
                    conn.close().onErrorResume(e -> Mono.empty()).subscribe(null, null, () -> {
                        try {
                            handler.afterConnectionClosed();
                        } finally {
                            ended.tryEmitEmpty();
                        }
                    });
                });
    }

    /**
     * Completes once the connection is closed and the handler has been told
     * ({@code afterConnectionClosed} or {@code handleFailure} has returned), or at the close of a
     * connection that was never started.
     */
    Mono<Void> ended() {
        return Mono.defer(() -> started ? ended.asMono() : conn.onClose());
    }

    private List<Message<P>> decode(ByteBuffer received) {
        readWatches.forEach(InactivityWatch::activity);
        return cumulation.decode(received);
    }

    @Override
    public CompletableFuture<Void> sendAsync(Message<P> message) {
        Objects.requireNonNull(message, "message");
        ByteBuffer bytes;
        try {
            bytes = codec.encode(message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        writeWatches.forEach(InactivityWatch::activity);
        return conn.send(Mono.just(bytes)).toFuture();
    }

    @Override
    public void onReadInactivity(Runnable runnable, long inactivityDuration) {
        watch(readWatches, runnable, inactivityDuration);
    }

    @Override
    public void onWriteInactivity(Runnable runnable, long inactivityDuration) {
        watch(writeWatches, runnable, inactivityDuration);
    }

    private void watch(List<InactivityWatch> watches, Runnable runnable, long millis) {
        Objects.requireNonNull(runnable, "runnable");
        InactivityWatch w = new InactivityWatch(runnable, millis, scheduler);
        watches.add(w);
        w.start();
        if (conn.isDisposed()) {
            w.dispose();
        }
    }

    private void stopWatches() {
        readWatches.forEach(InactivityWatch::dispose);
        writeWatches.forEach(InactivityWatch::dispose);
    }

    /**
     * Graceful: the messages already sent are written first, then FIN, and the connection closes
     * at the peer's FIN or flowsock's close timeout.
     */
    @Override
    public void close() {
        conn.close().subscribe(null, e -> conn.dispose());
    }

    /** Completes when the connection is closed, whatever closed it. */
    Mono<Void> onClose() {
        return conn.onClose();
    }

    @Override
    public String toString() {
        return "FlowsockTcpConnection[" + conn + "]";
    }
}
