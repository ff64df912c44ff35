package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The fault suite on the selector backend, with two ports. */
class SelectorFaultTest extends FaultContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
