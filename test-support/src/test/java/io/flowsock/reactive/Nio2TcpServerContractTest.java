package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The server contract on the NIO.2 backend. */
class Nio2TcpServerContractTest extends TcpServerContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
