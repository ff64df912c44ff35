package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.FaultContract;
import org.junit.jupiter.api.BeforeAll;

/** The fault suite on the io_uring backend; skipped, with the probe's reason, where io_uring cannot run. */
class UringFaultTest extends FaultContract {
    @BeforeAll
    static void requireUring() {
        UringConnectionContractTest.requireUring();
    }

    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
