package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The fault suite on the NIO.2 backend, with two ports. */
class Nio2FaultTest extends FaultContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
