package io.flowsock.core.contract;

import io.flowsock.core.Transport;

/** The core's callback API on the selector backend. */
class SelectorChannelContractTest extends ChannelContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
