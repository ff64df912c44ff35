package io.flowsock.core.storm;

import io.flowsock.core.Transport;

/** The storm's backlog rule on the NIO.2 backend, where it caught a backlog split over the listeners. */
class Nio2ListenerBacklogTest extends ListenerBacklogContract {
    @Override
    protected Transport newTransport() {
        return Transport.nio2(2);
    }
}
