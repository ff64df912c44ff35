package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpServerContract on the NIO.2 backend, two ports. */
class Nio2HttpServerContractTest extends HttpServerContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
