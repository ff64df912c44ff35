package io.flowsock.reactive;

import io.flowsock.core.Transport;

/** BlockHound's guard of the port threads on the selector backend. */
class SelectorBlockHoundContractTest extends BlockHoundContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
