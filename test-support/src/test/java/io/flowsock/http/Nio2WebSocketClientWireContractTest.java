package io.flowsock.http;

import io.flowsock.core.Transport;

/** WebSocketClientWireContract on the nio2 backend, two ports. */
class Nio2WebSocketClientWireContractTest extends WebSocketClientWireContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
