package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** Bad TLS input on the NIO.2 backend, two ports. */
class Nio2TlsBadInputContractTest extends TlsBadInputContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
