package io.flowsock.http;

import io.flowsock.core.Transport;

/** WebSocketClientContract on the nio2 backend, two ports. */
class Nio2WebSocketClientContractTest extends WebSocketClientContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
