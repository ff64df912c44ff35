package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The demand contract on the NIO.2 backend, with two ports so accepts and connects spread. */
class Nio2DemandContractTest extends DemandContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
