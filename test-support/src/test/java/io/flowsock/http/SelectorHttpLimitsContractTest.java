package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpLimitsContract on the selector backend, two ports. */
class SelectorHttpLimitsContractTest extends HttpLimitsContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
