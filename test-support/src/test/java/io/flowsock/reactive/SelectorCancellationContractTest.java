package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The cancellation contract on the selector backend, with two ports so accepts and connects spread. */
class SelectorCancellationContractTest extends CancellationContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
