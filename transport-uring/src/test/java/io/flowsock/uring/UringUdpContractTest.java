package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.UdpContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The UDP contract on the io_uring backend; skipped, with the probe's reason, where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringUdpContractTest extends UdpContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
