package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.MetricsContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The metrics on the io_uring backend, two ports. Skipped, with the probe's reason, where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringMetricsContractTest extends MetricsContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
