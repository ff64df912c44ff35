package io.flowsock.spring.messaging;

import io.flowsock.reactive.TcpClient;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.messaging.tcp.ReconnectStrategy;
import org.springframework.messaging.tcp.TcpConnectionHandler;
import org.springframework.messaging.tcp.TcpOperations;
import org.springframework.messaging.tcp.reactor.TcpMessageCodec;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Spring Messaging's {@link TcpOperations} on flowsock's {@link TcpClient}, as Spring's
 * {@code ReactorNettyTcpClient} is on Reactor Netty's: what Spring's STOMP broker relay and
 * {@code ReactorNettyTcpStompClient}-style clients connect with.
 *
 * <pre>{@code
 * TcpOperations<byte[]> tcp = new FlowsockTcpClient<>("broker.example", 61613, new StompTcpMessageCodec());
 * relay.setTcpClient(tcp);   // StompBrokerRelayMessageHandler
 * }</pre>
 *
 * <p>Messages are framed by a {@link TcpMessageCodec}, Spring's own interface for it (Spring's
 * {@code StompTcpMessageCodec} is STOMP's): {@code decode} takes what has been received and
 * returns the whole messages in it, leaving the buffer's position at the first byte of a message
 * not yet whole, which is kept and given again with the next bytes; {@code encode} makes the bytes
 * of one message. At most {@link #maxFrameLength()} bytes are held without a whole message in them;
 * past that the connection fails with {@link FrameTooLargeException}.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. A connection's handler is
 * called on its completion port thread, one call at a time, and must not block; reconnect delays
 * and inactivity checks run on {@link Schedulers#parallel()}.
 *
 * <p><b>Buffers.</b> Each received buffer is the codec's to read during {@code decode}; the bytes
 * of a message still incomplete are copied aside. An encoded buffer belongs to the connection until
 * its send's future completes.
 *
 * <p><b>Lifecycle.</b> {@link #shutdownAsync()} stops reconnecting, closes every connection this
 * client opened (gracefully) and completes when they are closed; a connect after it fails with
 * {@link IllegalStateException}.
 */
// spring.messaging is read statically and not re-exported (module-info says why): its types here
// are for modules that require it themselves
@SuppressWarnings("exports")
public final class FlowsockTcpClient<P> implements TcpOperations<P> {
    /** {@link #maxFrameLength()} unless given: 8 MiB. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 8 << 20;

    private static final Logger LOG = Loggers.getLogger(FlowsockTcpClient.class);

    private final TcpClient client;
    private final TcpMessageCodec<P> codec;
    private final int maxFrameLength;
    private final Scheduler scheduler = Schedulers.parallel();
    /** Open connections; added to on connect and removed from on close by port threads, read by shutdown. */
    private final Set<FlowsockTcpConnection<P>> connections = ConcurrentHashMap.newKeySet();
    /** Reconnect delays pending; added and removed by any thread, disposed by shutdown. */
    private final Set<Disposable> pendingReconnects = ConcurrentHashMap.newKeySet();
    /** Set once by shutdownAsync; read before every connect, and after every connect completes. */
    private volatile boolean stopped;

    /** Connects to {@code host}:{@code port} with {@code TcpClient.create()}'s settings. */
    public FlowsockTcpClient(String host, int port, TcpMessageCodec<P> codec) {
        this(TcpClient.create().host(Objects.requireNonNull(host, "host")).port(port), codec);
    }

    /** With a client configured as wanted (address, TLS, tunables, socket options, timeouts). */
    public FlowsockTcpClient(TcpClient client, TcpMessageCodec<P> codec) {
        this(client, codec, DEFAULT_MAX_FRAME_LENGTH);
    }

    public FlowsockTcpClient(TcpClient client, TcpMessageCodec<P> codec, int maxFrameLength) {
        this.client = Objects.requireNonNull(client, "client");
        this.codec = Objects.requireNonNull(codec, "codec");
        if (maxFrameLength < 1) {
            throw new IllegalArgumentException("maxFrameLength must be >= 1, was " + maxFrameLength);
        }
        this.maxFrameLength = maxFrameLength;
    }

    /** Most bytes held without a whole message in them. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /**
     * One connection. The future completes once it is established, after
     * {@code afterConnected}; a failure goes to {@code afterConnectFailure} and fails the future.
     */
    @Override
    public CompletableFuture<Void> connectAsync(TcpConnectionHandler<P> handler) {
        Objects.requireNonNull(handler, "handler");
        CompletableFuture<Void> connected = new CompletableFuture<>();
        connect(handler, connected, null, 0);
        return connected;
    }

    /**
     * A connection kept up: after a failed attempt, and after each close, the strategy says how
     * long to wait for the next attempt ({@code getTimeToNextAttempt(n)}, n counting attempts in a
     * row since the last connection, from 1), or null to stop. The future completes at the first
     * attempt's outcome, as {@link #connectAsync(TcpConnectionHandler)}'s; every failure goes to
     * {@code afterConnectFailure}, every connection to {@code afterConnected}.
     */
    @Override
    public CompletableFuture<Void> connectAsync(TcpConnectionHandler<P> handler, ReconnectStrategy strategy) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(strategy, "strategy");
        CompletableFuture<Void> first = new CompletableFuture<>();
        connect(handler, first, strategy, 0);
        return first;
    }

    private void connect(TcpConnectionHandler<P> handler, CompletableFuture<Void> first, ReconnectStrategy strategy,
                         int failuresInARow) {
        if (stopped) {
            IllegalStateException e = new IllegalStateException("this FlowsockTcpClient is shut down");
            handler.afterConnectFailure(e);
            first.completeExceptionally(e);
            return;
        }
        client.connect().subscribe(conn -> {
            FlowsockTcpConnection<P> c = new FlowsockTcpConnection<>(conn, codec, maxFrameLength, scheduler);
            connections.add(c);
            c.onClose().subscribe(null, null, () -> {
                connections.remove(c);
                reconnect(handler, first, strategy, 1);
            });
            if (stopped) {
                conn.dispose();   // shut down while connecting: shutdownAsync may have missed it
                connectFailed(handler, first, new IllegalStateException("this FlowsockTcpClient is shut down"));
                return;
            }
            try {
                handler.afterConnected(c);
            } catch (RuntimeException e) {
                // a handler that cannot take the connection does not leave it open; its close
                // brings the next attempt, as any close does
                LOG.warn("flowsock: afterConnected failed for " + conn + "; closing it", e);
                conn.dispose();
                first.completeExceptionally(e);
                return;
            }
            c.start(handler);
            first.complete(null);
        }, error -> {
            connectFailed(handler, first, error);
            reconnect(handler, first, strategy, failuresInARow + 1);
        });
    }

    private void connectFailed(TcpConnectionHandler<P> handler, CompletableFuture<Void> first, Throwable error) {
        handler.afterConnectFailure(error);
        first.completeExceptionally(error);
    }

    private void reconnect(TcpConnectionHandler<P> handler, CompletableFuture<Void> first, ReconnectStrategy strategy,
                           int attempt) {
        if (strategy == null || stopped) {
            return;
        }
        Long delay = strategy.getTimeToNextAttempt(attempt);
        if (delay == null) {
            return;
        }
        Disposable.Swap slot = Disposables.swap();
        pendingReconnects.add(slot);
        slot.update(scheduler.schedule(() -> {
            pendingReconnects.remove(slot);
            connect(handler, first, strategy, attempt);
        }, Math.max(0, delay), TimeUnit.MILLISECONDS));
        if (stopped) {
            slot.dispose();   // shutdownAsync ran between the check above and the add
        }
    }

    /**
     * Stops reconnecting and closes every connection gracefully; completes when all are closed and
     * each handler has been told ({@code afterConnectionClosed} or {@code handleFailure} returned).
     */
    @Override
    public CompletableFuture<Void> shutdownAsync() {
        stopped = true;
        pendingReconnects.forEach(Disposable::dispose);
        pendingReconnects.clear();
        return Flux.fromIterable(connections)
                .flatMap(c -> {
                    c.close();
                    return c.ended();
                })
                .then()
                .toFuture();
    }

    @Override
    public String toString() {
        return "FlowsockTcpClient[" + client + "]";
    }
}
