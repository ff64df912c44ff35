package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpCompressionContract on the selector backend, two ports. */
class SelectorHttpCompressionContractTest extends HttpCompressionContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
