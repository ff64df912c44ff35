package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The connection contract on the NIO.2 backend, with two ports so accepts and connects spread. */
class Nio2ConnectionContractTest extends ConnectionContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
