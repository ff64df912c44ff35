package io.flowsock.core.contract;

import io.flowsock.core.Transport;

/** The core's callback API on the NIO.2 backend. */
class Nio2ChannelContractTest extends ChannelContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
