package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The cancellation contract over TLS on the selector backend, two ports: the same tests, every connection secured. */
class SelectorTlsCancellationContractTest extends CancellationContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }

    @Override
    protected boolean secured() {
        return true;
    }
}
