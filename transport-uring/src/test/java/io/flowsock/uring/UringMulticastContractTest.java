package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.MulticastContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** Multicast on the io_uring backend, in a network namespace of its own; skipped where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringMulticastContractTest extends MulticastContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
