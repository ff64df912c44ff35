package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpClientContract on the NIO.2 backend, two ports. */
class Nio2HttpClientContractTest extends HttpClientContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
