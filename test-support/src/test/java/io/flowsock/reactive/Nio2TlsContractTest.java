package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** TLS on the NIO.2 backend, two ports. */
class Nio2TlsContractTest extends TlsContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
