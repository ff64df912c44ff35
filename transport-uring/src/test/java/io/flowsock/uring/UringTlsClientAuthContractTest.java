package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.TlsClientAuthContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Client authentication from PEM files on the io_uring backend, two ports. Skipped, with the probe's
 * reason, where io_uring cannot run.
 */
@ExtendWith(UringAvailable.class)
class UringTlsClientAuthContractTest extends TlsClientAuthContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
