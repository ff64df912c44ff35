package io.flowsock.reactive;

import io.flowsock.core.Datagram;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A bound UDP socket that receives from anyone and sends anywhere, made by {@link UdpServer}.
 *
 * <pre>{@code
 * UdpEndpoint echo = UdpServer.create().host("::").port(5353)
 *         .handle(udp -> udp.send(udp.inbound()))      // each datagram back to its sender
 *         .bindNow();
 * }</pre>
 *
 * <p><b>Threading.</b> Inbound signals arrive on the socket's port thread; request and cancel may
 * come from any thread.
 *
 * <p><b>Buffers.</b> A received datagram's data is a right-sized heap buffer the subscriber owns
 * for good. A datagram given to {@link #send} belongs to the socket until the returned Mono ends.
 *
 * <p><b>Lifecycle.</b> See {@link UdpSocket}.
 */
public non-sealed interface UdpEndpoint extends UdpSocket {
    /**
     * What arrives, with each sender's address. One subscriber. Receives are posted only against
     * its demand: a subscriber that stops requesting stops the receives, and the kernel drops
     * what no longer fits its buffer ({@link #drops()}). Completes when the socket closes; a
     * failed receive errors it.
     */
    Flux<Datagram> inbound();

    /**
     * Sends each datagram to its address, requesting at most sendcap ahead of their hand-over to
     * the kernel. Completes when every one is handed over; fails with
     * {@link io.flowsock.core.DatagramTooLargeException} naming the size of one too long, or with
     * the socket's close.
     */
    Mono<Void> send(Publisher<? extends Datagram> datagrams);
}
