package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpClientPeersContract on the selector backend, two ports. */
class SelectorHttpClientPeersContractTest extends HttpClientPeersContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
