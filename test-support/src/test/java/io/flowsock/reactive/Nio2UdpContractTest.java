package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The UDP contract on the NIO.2 backend. */
class Nio2UdpContractTest extends UdpContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
