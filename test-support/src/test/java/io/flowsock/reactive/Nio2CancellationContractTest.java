package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The cancellation contract on the NIO.2 backend, with two ports so accepts and connects spread. */
class Nio2CancellationContractTest extends CancellationContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
