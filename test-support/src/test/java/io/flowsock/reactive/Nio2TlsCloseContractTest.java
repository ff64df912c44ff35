package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The close contract over TLS on the NIO.2 backend, two ports: the same tests, every connection secured. */
class Nio2TlsCloseContractTest extends CloseContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }

    @Override
    protected boolean secured() {
        return true;
    }
}
