package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The client contract on the NIO.2 backend. */
class Nio2TcpClientContractTest extends TcpClientContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
