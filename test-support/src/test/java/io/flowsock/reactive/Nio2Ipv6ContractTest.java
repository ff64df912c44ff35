package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The IPv6 contract on the NIO.2 backend. */
class Nio2Ipv6ContractTest extends Ipv6Contract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
