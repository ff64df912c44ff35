package io.flowsock.reactive;

import io.flowsock.core.Channel;
import io.flowsock.core.Tunable;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link Connection} over a core {@link Channel}: the reactive contract is the channel's, mapped one to one. */
final class ChannelConnection implements Connection {
    final Channel channel;
    private final InboundFlux inbound;
    private final Mono<Void> onClose;

    ChannelConnection(Channel channel) {
        this.channel = channel;
        this.inbound = new InboundFlux(channel);
        this.onClose = Mono.fromFuture(channel.onClose(), true);
        channel.start(inbound);
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
        return onClose;
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
