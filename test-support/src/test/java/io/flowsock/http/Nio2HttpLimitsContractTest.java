package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpLimitsContract on the NIO.2 backend, two ports. */
class Nio2HttpLimitsContractTest extends HttpLimitsContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
