package io.flowsock.core.selector;

import io.flowsock.core.Transport;
import io.flowsock.core.contract.TransportContract;

/** The transport contract on the selector backend, with two ports. */
class SelectorTransportContractTest extends TransportContract {
    @Override
    protected Transport newTransport(int ports) {
        return Transport.selector(ports);
    }
}
