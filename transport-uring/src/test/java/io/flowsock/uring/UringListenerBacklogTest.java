package io.flowsock.uring;

import io.flowsock.core.storm.ListenerBacklogContract;
import io.flowsock.core.Transport;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The storm's backlog rule on the io_uring backend: connections that arrive while every port is
 * busy are all accepted, without a retransmission, once the ports resume. (On io_uring the armed
 * multishot accept takes connections off the listen queue even while the port thread is busy, so
 * this passes with a split backlog too; on nio2 it is what caught the split.)
 */
@ExtendWith(UringAvailable.class)
class UringListenerBacklogTest extends ListenerBacklogContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
