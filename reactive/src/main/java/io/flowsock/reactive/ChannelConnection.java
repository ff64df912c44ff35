package io.flowsock.reactive;

import io.flowsock.core.Channel;
import io.flowsock.core.Tunable;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link Connection} over a core {@link Channel}: the reactive contract is the channel's, mapped one to one. */
final class ChannelConnection implements Connection {
    /** For connections nobody tracks (a client's). */
    static final Consumer<ChannelConnection> UNTRACKED = c -> { };

    final Channel channel;
    private final InboundFlux inbound;
    private final Consumer<ChannelConnection> onClosed;   // the owner's, shared by all its connections
    private Disposable running;          // port only: the server handler's subscription, set once it started

    /**
     * @param onClosed runs on the port once the connection is closed, before {@link #onClose()}
     *                 completes: one object per owner rather than a future per idle connection
     */
    ChannelConnection(Channel channel, Consumer<ChannelConnection> onClosed) {
        this.channel = channel;
        this.onClosed = onClosed;
        this.inbound = new InboundFlux(channel, this);
        channel.start(inbound);
    }

    /** The server's handler for this connection, disposed when the connection closes. Port thread. */
    void running(Disposable handler) {
        if (channel.isOpen()) {
            running = handler;
        } else {
            handler.dispose();
        }
    }

    /** The channel closed: whatever the handler started ends with it. Port thread, once. */
    void closed() {
        Disposable r = running;
        running = null;
        if (r != null) {
            r.dispose();
        }
        onClosed.accept(this);
    }

    @Override
    public Flux<ByteBuffer> inbound() {
        return inbound;
    }

    @Override
    public Mono<Void> send(Publisher<? extends ByteBuffer> data) {
        return new SendMono(channel, Objects.requireNonNull(data, "data"));
    }

    @Override
    public Mono<Void> shutdownOutput() {
        return Mono.fromFuture(channel::shutdownOutput, true);
    }

    @Override
    public Mono<Void> close() {
        return Mono.fromFuture(channel::close, true);
    }

    @Override
    public void dispose() {
        channel.dispose();
    }

    @Override
    public boolean isDisposed() {
        return !channel.isOpen();
    }

    @Override
    public Mono<Void> onClose() {
        return Mono.fromFuture(channel.onClose(), true);   // made when asked: an idle connection holds none
    }

    @Override
    public InetSocketAddress localAddress() {
        return channel.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public Tunable sendCap() {
        return channel.sendCap();
    }

    @Override
    public void sendCap(int cap) {
        channel.sendCap(cap);
    }

    @Override
    public Tunable recvBurst() {
        return channel.recvBurst();
    }

    @Override
    public void recvBurst(int cap) {
        channel.recvBurst(cap);
    }

    @Override
    public String toString() {
        return "Connection[" + channel.localAddress() + " <-> " + channel.remoteAddress() + "]";
    }
}
