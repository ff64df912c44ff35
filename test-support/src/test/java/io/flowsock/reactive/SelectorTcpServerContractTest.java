package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The server contract on the selector backend. */
class SelectorTcpServerContractTest extends TcpServerContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
