package io.flowsock.core.nio2;

import io.flowsock.core.Transport;
import io.flowsock.core.contract.TransportContract;

/** The transport contract on the NIO.2 backend, with two ports. */
class Nio2TransportContractTest extends TransportContract {
    @Override
    protected Transport newTransport(int ports) {
        return Transport.nio2(ports);
    }
}
