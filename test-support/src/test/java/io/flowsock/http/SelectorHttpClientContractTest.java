package io.flowsock.http;

import io.flowsock.core.Transport;

/** HttpClientContract on the selector backend, two ports. */
class SelectorHttpClientContractTest extends HttpClientContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
