package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.CancellationContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cancellation contract over TLS on the io_uring backend, two ports: the same tests, every connection
 * secured. Skipped, with the probe's reason, where io_uring cannot run.
 */
@ExtendWith(UringAvailable.class)
class UringTlsCancellationContractTest extends CancellationContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }

    @Override
    protected boolean secured() {
        return true;
    }
}
