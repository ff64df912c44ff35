package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.DemandContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demand contract on the io_uring backend, with two ports so accepts and connects spread.
 * Skipped, with the probe's reason, where io_uring cannot run.
 */
@ExtendWith(UringAvailable.class)
class UringDemandContractTest extends DemandContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
