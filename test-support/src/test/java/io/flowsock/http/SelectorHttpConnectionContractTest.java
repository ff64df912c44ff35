package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpConnectionContract on the selector backend, two ports. */
class SelectorHttpConnectionContractTest extends HttpConnectionContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
