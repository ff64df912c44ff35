package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The IPv6 contract on the selector backend. */
class SelectorIpv6ContractTest extends Ipv6Contract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
