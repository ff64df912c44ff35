package io.flowsock.http;

import io.flowsock.core.Transport;

/** WebSocketContract on the selector backend, two ports. */
class SelectorWebSocketContractTest extends WebSocketContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
