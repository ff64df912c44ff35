package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** The metrics on the NIO.2 backend, two ports. */
class Nio2MetricsContractTest extends MetricsContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
