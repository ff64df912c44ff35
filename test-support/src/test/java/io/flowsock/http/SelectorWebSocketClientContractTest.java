package io.flowsock.http;

import io.flowsock.core.Transport;

/** WebSocketClientContract on the selector backend, two ports. */
class SelectorWebSocketClientContractTest extends WebSocketClientContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
