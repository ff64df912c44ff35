package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The wiretap on the NIO.2 backend, two ports. */
class Nio2WiretapContractTest extends WiretapContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
