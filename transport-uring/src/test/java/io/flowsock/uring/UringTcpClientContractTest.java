package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.TcpClientContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client contract on the io_uring backend; skipped, with the probe's reason, where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringTcpClientContractTest extends TcpClientContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
