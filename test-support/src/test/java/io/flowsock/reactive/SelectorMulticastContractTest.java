package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** Multicast on the selector backend, in a network namespace of its own. */
class SelectorMulticastContractTest extends MulticastContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
