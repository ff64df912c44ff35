package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** Multicast on the NIO.2 backend, in a network namespace of its own. */
class Nio2MulticastContractTest extends MulticastContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
