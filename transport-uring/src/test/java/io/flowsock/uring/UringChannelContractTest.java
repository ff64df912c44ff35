package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.core.contract.ChannelContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The core's callback API on the io_uring backend; skipped, with the probe's reason, where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringChannelContractTest extends ChannelContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
