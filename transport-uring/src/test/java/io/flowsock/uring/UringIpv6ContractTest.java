package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.Ipv6Contract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The IPv6 contract on the io_uring backend; skipped, with the probe's reason, where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringIpv6ContractTest extends Ipv6Contract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
