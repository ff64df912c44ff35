package io.flowsock.http;

import io.flowsock.core.Transport;

/** WebSocketClientWireContract on the selector backend, two ports. */
class SelectorWebSocketClientWireContractTest extends WebSocketClientWireContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
