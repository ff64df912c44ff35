package io.flowsock.core.storm;

import io.flowsock.core.Transport;

/** The storm's backlog rule on the selector backend. */
class SelectorListenerBacklogTest extends ListenerBacklogContract {
    @Override
    protected Transport newTransport() {
        return Transport.selector(2);
    }
}
