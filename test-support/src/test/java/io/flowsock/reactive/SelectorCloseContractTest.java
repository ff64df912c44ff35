package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The close contract on the selector backend, with two ports so accepts and connects spread. */
class SelectorCloseContractTest extends CloseContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
