package io.flowsock.reactive;

import io.flowsock.core.Datagram;
import io.flowsock.core.DatagramEndpoint;
import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link UdpEndpoint} over the core's endpoint: datagrams with their addresses both ways. */
final class BoundUdpEndpoint extends UdpSocketState implements UdpEndpoint {
    BoundUdpEndpoint(DatagramEndpoint endpoint, UdpMetrics metrics) {
        super(endpoint, metrics);
    }

    @Override
    public Flux<Datagram> inbound() {
        return inbound;
    }

    @Override
    public Mono<Void> send(Publisher<? extends Datagram> datagrams) {
        Objects.requireNonNull(datagrams, "datagrams");
        return new DatagramSendMono<Datagram>(endpoint, datagrams, d -> d, metrics);
    }
}
