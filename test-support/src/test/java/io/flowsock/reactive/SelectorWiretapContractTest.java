package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The wiretap on the selector backend, two ports. */
class SelectorWiretapContractTest extends WiretapContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
