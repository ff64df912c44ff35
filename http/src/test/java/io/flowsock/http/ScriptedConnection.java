package io.flowsock.http;

import io.flowsock.core.Tunable;
import io.flowsock.reactive.Connection;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLSession;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A connection without a socket, for tests of how requests are cut: inbound is exactly the
 * buffers given, served as demanded; whatever is sent is collected in order.
 */
final class ScriptedConnection implements Connection {
    private final List<ByteBuffer> input;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private volatile boolean closedGracefully;

    ScriptedConnection(List<ByteBuffer> input) {
        this.input = input;
    }

    synchronized byte[] output() {
        return output.toByteArray();
    }

    boolean closedGracefully() {
        return closedGracefully;
    }

    @Override
    public Flux<ByteBuffer> inbound() {
        return Flux.fromIterable(input);
    }

    @Override
    public <T> Flux<T> inbound(Function<? super ByteBuffer, ? extends T> reader) {
        return inbound().map(reader);
    }

    @Override
    public Mono<Void> send(Publisher<? extends ByteBuffer> data) {
        return Flux.from(data).doOnNext(b -> {
            synchronized (this) {
                byte[] bytes = new byte[b.remaining()];
                b.duplicate().get(bytes);
                output.writeBytes(bytes);
            }
        }).then();
    }

    @Override
    public Mono<Void> shutdownOutput() {
        return Mono.empty();
    }

    @Override
    public Mono<Void> close() {
        return Mono.fromRunnable(() -> {
            closedGracefully = true;
            closed.tryEmitEmpty();
        });
    }

    @Override
    public void dispose() {
        closed.tryEmitEmpty();
    }

    @Override
    public boolean isDisposed() {
        return closed.currentSubscriberCount() < 0;
    }

    @Override
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 80);
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return Optional.empty();
    }

    @Override
    public Optional<String> applicationProtocol() {
        return Optional.empty();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public Tunable sendCap() {
        return new Tunable(4, 0);
    }

    @Override
    public void sendCap(int cap) {
    }

    @Override
    public Tunable recvBurst() {
        return new Tunable(1, 0);
    }

    @Override
    public void recvBurst(int cap) {
    }
}
