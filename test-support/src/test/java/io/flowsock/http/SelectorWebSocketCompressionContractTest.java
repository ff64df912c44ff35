package io.flowsock.http;

import io.flowsock.core.Transport;

/** WebSocketCompressionContract on the selector backend, two ports. */
class SelectorWebSocketCompressionContractTest extends WebSocketCompressionContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
