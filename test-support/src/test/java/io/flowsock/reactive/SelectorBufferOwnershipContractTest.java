package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** Buffer ownership and the engine's loans on the selector backend, two ports shared by the connections. */
class SelectorBufferOwnershipContractTest extends BufferOwnershipContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
