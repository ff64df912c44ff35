package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** Bad TLS input on the selector backend, two ports. */
class SelectorTlsBadInputContractTest extends TlsBadInputContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
