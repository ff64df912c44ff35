package io.flowsock.reactive;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A UDP socket connected to one peer, made by {@link UdpClient}: one buffer per datagram each way.
 *
 * <p><b>Threading.</b> Inbound signals arrive on the socket's port thread; request and cancel may
 * come from any thread.
 *
 * <p><b>Buffers.</b> A received buffer is the subscriber's for good. A buffer given to
 * {@link #send} belongs to the socket until the returned Mono ends.
 *
 * <p><b>Lifecycle.</b> See {@link UdpSocket}. An ICMP port unreachable from the peer errors the
 * inbound, or a send, with {@link io.flowsock.core.PeerUnreachableException}; the socket stays open.
 */
public non-sealed interface UdpConnection extends UdpSocket {
    /** The peer. */
    InetSocketAddress remoteAddress();

    /** The payload of each datagram from the peer, received only against demand. One subscriber. */
    Flux<ByteBuffer> inbound();

    /** Sends each buffer as one datagram to the peer, at most sendcap ahead of the kernel. */
    Mono<Void> send(Publisher<? extends ByteBuffer> datagrams);
}
