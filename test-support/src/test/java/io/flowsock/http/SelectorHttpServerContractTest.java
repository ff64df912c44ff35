package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpServerContract on the selector backend, two ports. */
class SelectorHttpServerContractTest extends HttpServerContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
