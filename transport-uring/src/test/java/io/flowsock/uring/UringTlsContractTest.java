package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.TlsContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** TLS on the io_uring backend, two ports. Skipped, with the probe's reason, where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringTlsContractTest extends TlsContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
