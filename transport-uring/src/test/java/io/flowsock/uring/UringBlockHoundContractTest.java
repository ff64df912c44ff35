package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.BlockHoundContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** BlockHound's guard of the port threads on the io_uring backend; skipped, with the probe's reason, where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringBlockHoundContractTest extends BlockHoundContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
