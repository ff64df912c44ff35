package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpCompressionContract on the NIO.2 backend, two ports. */
class Nio2HttpCompressionContractTest extends HttpCompressionContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
