package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** A server's keys (PEM, SNI, reload) on the NIO.2 backend, two ports. */
class Nio2TlsKeysContractTest extends TlsKeysContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
