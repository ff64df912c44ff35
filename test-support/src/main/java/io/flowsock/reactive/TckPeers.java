package io.flowsock.reactive;

import io.flowsock.core.ConnectionResetException;
import io.flowsock.core.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Loopback peers for the Reactive Streams TCK: servers that each send a fixed stream and then FIN,
 * a server that resets every connection, a server that drains, and the client connections made to
 * them. The TCK creates a publisher or subscriber per test, so connections are closed after each
 * test method and the servers and the transport after the class.
 */
final class TckPeers {
    private final Transport transport = Transport.nio2(2);
    private final Streams streams;
    private final Map<Long, DisposableServer> senders = new ConcurrentHashMap<>();
    private final Queue<Connection> clients = new ConcurrentLinkedQueue<>();
    private DisposableServer resetting;
    private DisposableServer draining;

    /** What the server for {@code n} elements sends on one accepted connection before its FIN. */
    interface Streams {
        Publisher<ByteBuffer> stream(long n, Connection accepted);
    }

    TckPeers(Streams streams) {
        this.streams = streams;
    }

    /** A client connection to a server that sends {@code streams.stream(n, ...)} then shuts its output down. */
    Connection connectToSender(long n) {
        DisposableServer s = senders.computeIfAbsent(n, k -> bind(TcpServer.create().handle(conn ->
                conn.send(streams.stream(k, conn)).then(conn.shutdownOutput()).then(conn.onClose()))));
        return connect(s);
    }

    /**
     * A client connection that its peer reset and that has seen the reset: its inbound holds the
     * error for whoever subscribes. Reads are posted only against demand, so a connection that
     * neither reads nor writes cannot see a reset; a write is what shows it here.
     */
    Connection connectToResetter() {
        synchronized (this) {
            if (resetting == null) {
                resetting = bind(TcpServer.create().handle(conn -> Mono.error(new ConnectionResetException(
                        conn.remoteAddress(), new IOException("the TCK's peer resets every connection")))));
            }
        }
        Connection c = connect(resetting);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!c.isDisposed() && System.nanoTime() < deadline) {
            c.send(Mono.just(ByteBuffer.wrap(new byte[] {1}))).onErrorResume(e -> Mono.empty())
                    .block(Duration.ofSeconds(5));
            sleep(20);
        }
        if (!c.isDisposed()) {
            throw new IllegalStateException("the reset of " + c + " was not seen within 10 s");
        }
        return c;
    }

    /** A client connection whose peer reads and drops everything until FIN. */
    synchronized Connection connectToDrainer() {
        if (draining == null) {
            draining = bind(TcpServer.create().handle(conn -> conn.inbound().then()));
        }
        return connect(draining);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private DisposableServer bind(TcpServer server) {
        return server.host("127.0.0.1").port(0).transport(transport).closeTimeout(Duration.ofSeconds(1))
                .bindNow(Duration.ofSeconds(10));
    }

    private Connection connect(DisposableServer server) {
        Connection c = TcpClient.create().host("127.0.0.1").port(server.port()).transport(transport)
                .connectNow(Duration.ofSeconds(10));
        clients.add(c);
        return c;
    }

    /** Closes every client connection made so far and waits until each is closed. */
    void closeConnections() {
        Connection c;
        while ((c = clients.poll()) != null) {
            c.dispose();
            c.onClose().block(Duration.ofSeconds(10));
        }
    }

    /** Closes the connections, the servers and the transport. */
    void closeAll() {
        closeConnections();
        for (DisposableServer s : senders.values()) {
            s.disposeNow(Duration.ofSeconds(5));
        }
        for (DisposableServer s : new DisposableServer[] {resetting, draining}) {
            if (s != null) {
                s.disposeNow(Duration.ofSeconds(5));
            }
        }
        transport.close();
    }

    /** n elements of {@code element(i)}, generated as the send asks for them (n may be Long.MAX_VALUE). */
    static Flux<ByteBuffer> elements(long n, LongFunction<ByteBuffer> element) {
        return Flux.generate(() -> 0L, (i, sink) -> {
            if (i == n) {
                sink.complete();
            } else {
                sink.next(element.apply(i));
            }
            return i + 1;
        });
    }
}
