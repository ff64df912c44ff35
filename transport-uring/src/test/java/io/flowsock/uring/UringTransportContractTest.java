package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.core.contract.TransportContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The transport contract on the io_uring backend, with two ports. Skipped where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringTransportContractTest extends TransportContract {
    @Override
    protected Transport newTransport(int ports) {
        return Transport.of("uring", ports);
    }
}
