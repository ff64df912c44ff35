package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.BufferOwnershipContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Buffer ownership and the engine's loans on the io_uring backend, two ports shared by the
 * connections. Skipped, with the probe's reason, where io_uring cannot run.
 */
@ExtendWith(UringAvailable.class)
class UringBufferOwnershipContractTest extends BufferOwnershipContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
