package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** TLS on the selector backend, two ports. */
class SelectorTlsContractTest extends TlsContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
