package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpClientPeersContract on the NIO.2 backend, two ports. */
class Nio2HttpClientPeersContractTest extends HttpClientPeersContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
