package io.flowsock.http;

import io.flowsock.core.Transport;

/** WebSocketContract on the nio2 backend, two ports. */
class Nio2WebSocketContractTest extends WebSocketContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
