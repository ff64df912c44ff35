package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The loaned mode on the NIO.2 backend, two ports shared by the connections. */
class Nio2LoanedInboundContractTest extends LoanedInboundContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
