package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The connection contract on the selector backend, with two ports so accepts and connects spread. */
class SelectorConnectionContractTest extends ConnectionContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
