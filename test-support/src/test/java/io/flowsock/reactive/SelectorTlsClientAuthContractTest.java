package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** Client authentication from PEM files on the selector backend, two ports. */
class SelectorTlsClientAuthContractTest extends TlsClientAuthContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
