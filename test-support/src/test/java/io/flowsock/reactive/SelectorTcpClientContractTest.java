package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The client contract on the selector backend. */
class SelectorTcpClientContractTest extends TcpClientContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
