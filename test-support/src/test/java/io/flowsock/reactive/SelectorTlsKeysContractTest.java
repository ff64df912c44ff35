package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** A server's keys (PEM, SNI, reload) on the selector backend, two ports. */
class SelectorTlsKeysContractTest extends TlsKeysContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
