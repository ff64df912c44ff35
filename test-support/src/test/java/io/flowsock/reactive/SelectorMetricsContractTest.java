package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The metrics on the selector backend, two ports. */
class SelectorMetricsContractTest extends MetricsContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
