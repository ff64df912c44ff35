package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.CloseContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The close contract on the io_uring backend, with two ports so accepts and connects spread.
 * Skipped, with the probe's reason, where io_uring cannot run.
 */
@ExtendWith(UringAvailable.class)
class UringCloseContractTest extends CloseContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
