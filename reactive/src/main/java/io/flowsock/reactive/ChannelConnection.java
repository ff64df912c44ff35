package io.flowsock.reactive;

import io.flowsock.core.Channel;
import io.flowsock.core.Tunable;
import java.net.InetSocketAddress;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * {@link Connection} over a core {@link Channel}: the reactive contract is the channel's, mapped
 * one to one. On a server it is also the subscriber of its own handler's {@code Publisher<Void>},
 * so an idle connection pays for no separate subscriber and callbacks.
 */
final class ChannelConnection implements Connection, CoreSubscriber<Void> {
    private static final AtomicReferenceFieldUpdater<ChannelConnection, Subscription> HANDLER =
            AtomicReferenceFieldUpdater.newUpdater(ChannelConnection.class, Subscription.class, "handler");

    /** For connections nobody tracks (a client's). */
    static final Consumer<ChannelConnection> UNTRACKED = c -> { };

    final Channel channel;
    private final InboundFlux inbound;
    private final Consumer<ChannelConnection> onClosed;   // the owner's, shared by all its connections
    // The server handler's subscription: set once by onSubscribe (any thread), swapped for
    // Operators' cancelled marker when the connection closes, whichever comes first.
    private volatile Subscription handler;

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

    /** Runs the server's handler for this connection; whatever closes the connection ends it too. */
    void run(Publisher<Void> handlerResult) {
        Mono.fromDirect(handlerResult).subscribe(this);
    }

    /** The channel closed: whatever the handler started ends with it. Port thread, once. */
    void closed() {
        Operators.terminate(HANDLER, this);
        onClosed.accept(this);
    }

    // ---- the handler's subscriber (server connections only)

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.setOnce(HANDLER, this, s)) {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(Void v) {
        // a Publisher<Void> signals only its end
    }

    @Override
    public void onError(Throwable e) {
        ended();
        BoundServer.handlerFailed(this, e);
    }

    /** The handler ended: the connection closes gracefully. */
    @Override
    public void onComplete() {
        ended();
        close().subscribe();
    }

    /** A handler that ended is never cancelled by the close that follows (rule 2.4). */
    private void ended() {
        HANDLER.set(this, Operators.cancelledSubscription());
    }

    @Override
    public Flux<ByteBuffer> inbound() {
        return inbound;
    }

    @Override
    public <T> Flux<T> inbound(Function<? super ByteBuffer, ? extends T> reader) {
        return new LendingFlux<>(inbound, Objects.requireNonNull(reader, "reader"));
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
    public Optional<SSLSession> tlsSession() {
        return channel.tlsSession();
    }

    @Override
    public Optional<String> applicationProtocol() {
        return channel.applicationProtocol();
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
