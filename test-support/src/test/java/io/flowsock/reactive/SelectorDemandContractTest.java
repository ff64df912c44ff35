package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The demand contract on the selector backend, with two ports so accepts and connects spread. */
class SelectorDemandContractTest extends DemandContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
