package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The close contract on the NIO.2 backend, with two ports so accepts and connects spread. */
class Nio2CloseContractTest extends CloseContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
