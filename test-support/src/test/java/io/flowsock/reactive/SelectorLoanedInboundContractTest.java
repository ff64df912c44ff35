package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The loaned mode on the selector backend, two ports shared by the connections. */
class SelectorLoanedInboundContractTest extends LoanedInboundContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
