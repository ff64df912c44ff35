package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The demand contract over TLS on the selector backend, two ports: the same tests, every connection secured. */
class SelectorTlsDemandContractTest extends DemandContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }

    @Override
    protected boolean secured() {
        return true;
    }
}
