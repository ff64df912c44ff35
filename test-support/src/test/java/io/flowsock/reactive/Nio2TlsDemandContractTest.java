package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The demand contract over TLS on the NIO.2 backend, two ports: the same tests, every connection secured. */
class Nio2TlsDemandContractTest extends DemandContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }

    @Override
    protected boolean secured() {
        return true;
    }
}
