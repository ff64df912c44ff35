package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The UDP contract on the selector backend. */
class SelectorUdpContractTest extends UdpContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
