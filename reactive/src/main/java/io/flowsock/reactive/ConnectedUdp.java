package io.flowsock.reactive;

import io.flowsock.core.Datagram;
import io.flowsock.core.DatagramEndpoint;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link UdpConnection} over a connected core endpoint: payloads only, the peer implied. */
final class ConnectedUdp extends UdpSocketState implements UdpConnection {
    private final InetSocketAddress remote;
    private final Flux<ByteBuffer> payloads;

    ConnectedUdp(DatagramEndpoint endpoint, UdpMetrics metrics) {
        super(endpoint, metrics);
        this.remote = endpoint.remoteAddress().orElseThrow();
        this.payloads = inbound.map(Datagram::data);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public Flux<ByteBuffer> inbound() {
        return payloads;
    }

    @Override
    public Mono<Void> send(Publisher<? extends ByteBuffer> datagrams) {
        Objects.requireNonNull(datagrams, "datagrams");
        return new DatagramSendMono<ByteBuffer>(endpoint, datagrams, b -> new Datagram(b, remote), metrics);
    }
}
