package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** Buffer ownership and the engine's loans on the NIO.2 backend, two ports shared by the connections. */
class Nio2BufferOwnershipContractTest extends BufferOwnershipContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
