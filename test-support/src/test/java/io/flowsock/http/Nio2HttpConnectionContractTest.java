package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpConnectionContract on the NIO.2 backend, two ports. */
class Nio2HttpConnectionContractTest extends HttpConnectionContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
