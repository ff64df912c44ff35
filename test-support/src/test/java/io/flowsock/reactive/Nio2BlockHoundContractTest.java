package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** BlockHound's guard of the port threads on the NIO.2 backend. */
class Nio2BlockHoundContractTest extends BlockHoundContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
