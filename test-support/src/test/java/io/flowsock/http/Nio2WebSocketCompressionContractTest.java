package io.flowsock.http;

import io.flowsock.core.Transport;

/** WebSocketCompressionContract on the nio2 backend, two ports. */
class Nio2WebSocketCompressionContractTest extends WebSocketCompressionContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
