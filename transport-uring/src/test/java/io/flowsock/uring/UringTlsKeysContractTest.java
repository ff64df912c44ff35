package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.TlsKeysContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** A server's keys (PEM, SNI, reload) on the io_uring backend. Skipped, with the probe's reason, where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringTlsKeysContractTest extends TlsKeysContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
