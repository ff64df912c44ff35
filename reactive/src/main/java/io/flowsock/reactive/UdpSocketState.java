package io.flowsock.reactive;

import io.flowsock.core.DatagramEndpoint;
import io.flowsock.core.Tunable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * The part of a UDP socket that does not depend on whether it is connected: the core endpoint,
 * its tunables, counts, memberships and lifecycle, and the run of its handler, whose end closes
 * the socket and which is cancelled when the socket closes first.
 */
abstract class UdpSocketState {
    final DatagramEndpoint endpoint;
    final UdpMetrics metrics;      // null: off
    final DatagramFlux inbound;

    UdpSocketState(DatagramEndpoint endpoint, UdpMetrics metrics) {
        this.endpoint = endpoint;
        this.metrics = metrics;
        this.inbound = new DatagramFlux(endpoint, metrics);
        if (metrics != null) {
            metrics.opened(endpoint);
        }
    }

    /** Runs {@code handler} over {@code self}: its end disposes the socket, the socket's close cancels it. */
    <S> void run(S self, Function<? super S, ? extends Publisher<Void>> handler) {
        Publisher<Void> p;
        try {
            p = Objects.requireNonNull(handler.apply(self), "the handler returned null");
        } catch (RuntimeException e) {
            endpoint.dispose();
            throw e;
        }
        reactor.core.Disposable run = Mono.fromDirect(p).subscribe(v -> { }, e -> endpoint.dispose(),
                endpoint::dispose);
        endpoint.onClose().whenComplete((v, e) -> run.dispose());
    }

    public InetSocketAddress localAddress() {
        return endpoint.localAddress();
    }

    public Tunable sendCap() {
        return endpoint.sendCap();
    }

    public void sendCap(int cap) {
        endpoint.sendCap(cap);
    }

    public Tunable recvBurst() {
        return endpoint.recvBurst();
    }

    public void recvBurst(int cap) {
        endpoint.recvBurst(cap);
    }

    public long drops() {
        return endpoint.drops();
    }

    public long truncated() {
        return endpoint.truncated();
    }

    public Mono<Void> join(InetAddress group, NetworkInterface networkInterface) {
        return membership(group, networkInterface, () -> endpoint.join(group, networkInterface));
    }

    public Mono<Void> join(InetAddress group, NetworkInterface networkInterface, InetAddress source) {
        Objects.requireNonNull(source, "source");
        return membership(group, networkInterface, () -> endpoint.join(group, networkInterface, source));
    }

    public Mono<Void> leave(InetAddress group, NetworkInterface networkInterface) {
        return membership(group, networkInterface, () -> endpoint.leave(group, networkInterface));
    }

    public Mono<Void> leave(InetAddress group, NetworkInterface networkInterface, InetAddress source) {
        Objects.requireNonNull(source, "source");
        return membership(group, networkInterface, () -> endpoint.leave(group, networkInterface, source));
    }

    /** The arguments checked in the call; the change made when subscribed, on the socket's port. */
    private static Mono<Void> membership(InetAddress group, NetworkInterface networkInterface,
                                         Supplier<CompletableFuture<Void>> change) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(networkInterface, "networkInterface");
        return Mono.defer(() -> Mono.fromFuture(change.get()));
    }

    public Mono<Void> onClose() {
        return Mono.fromFuture(endpoint.onClose(), false);
    }

    public void dispose() {
        endpoint.dispose();
    }

    public boolean isDisposed() {
        return !endpoint.isOpen();
    }

    public void disposeNow(Duration timeout) {
        TcpSettings.positive("timeout", timeout);
        endpoint.dispose();
        try {
            endpoint.onClose().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(endpoint + " did not close within " + timeout, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + endpoint + " closed", e);
        }
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
