package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** Client authentication from PEM files on the NIO.2 backend, two ports. */
class Nio2TlsClientAuthContractTest extends TlsClientAuthContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
