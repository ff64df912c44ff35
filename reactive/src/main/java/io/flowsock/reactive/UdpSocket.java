package io.flowsock.reactive;

import io.flowsock.core.Tunable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * What a bound {@link UdpEndpoint} and a connected {@link UdpConnection} share: the tunables, the
 * counts of truncated and dropped datagrams, multicast membership and the lifecycle.
 *
 * <p><b>Threading.</b> Every method is safe from any thread. Signals arrive on the socket's port
 * thread; never block in them.
 *
 * <p><b>Lifecycle.</b> Open until {@link #dispose()}, its handler's end (completion or error), or
 * its transport's close; {@link #onClose()} completes in every case, once the socket is closed,
 * its pending sends failed and its inbound completed.
 */
public sealed interface UdpSocket extends Disposable permits UdpEndpoint, UdpConnection {
    InetSocketAddress localAddress();

    /** (cap, datagrams requested from the active send and not yet handed to the kernel). */
    Tunable sendCap();

    /** Changes sendcap live: higher requests the difference at once, lower waits for sends. */
    void sendCap(int cap);

    /** (cap, datagrams the next receive will take: ABD's choice within the cap and the demand; 0 without demand). */
    Tunable recvBurst();

    /** Changes recvburst from the next receive; 1 turns ABD off. */
    void recvBurst(int cap);

    /**
     * Datagrams the kernel dropped because this socket's receive buffer was full (a subscriber
     * that stops requesting stops the receives, and the kernel then drops), as last read; -1 when
     * the backend cannot tell.
     */
    long drops();

    /** Datagrams that arrived longer than the receive limit and were delivered cut (each flagged). */
    long truncated();

    /**
     * Joins multicast {@code group} on {@code networkInterface} for datagrams from any source.
     * Memberships behave the same on every backend: joining again with the same arguments does
     * nothing; joining a group any-source where it is joined source-specific on the same interface
     * (or the other way round), and leaving what is not joined, fail with an
     * {@link IllegalStateException} that names the membership; what the kernel refuses fails with
     * a {@link io.flowsock.core.DatagramException}.
     */
    Mono<Void> join(InetAddress group, NetworkInterface networkInterface);

    /** Joins {@code group} on {@code networkInterface} for datagrams from {@code source} only (source-specific). */
    Mono<Void> join(InetAddress group, NetworkInterface networkInterface, InetAddress source);

    /** Leaves an any-source membership joined with the same arguments. */
    Mono<Void> leave(InetAddress group, NetworkInterface networkInterface);

    /** Leaves a source-specific membership joined with the same arguments. */
    Mono<Void> leave(InetAddress group, NetworkInterface networkInterface, InetAddress source);

    /** Completes once the socket is closed, whatever closed it. */
    Mono<Void> onClose();

    /** Closes at once and waits up to 45 seconds for {@link #onClose()}. */
    default void disposeNow() {
        disposeNow(Duration.ofSeconds(45));
    }

    /** Closes at once and waits up to {@code timeout} for {@link #onClose()}. */
    void disposeNow(Duration timeout);
}
