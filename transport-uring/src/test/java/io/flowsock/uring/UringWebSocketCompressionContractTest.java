package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.http.WebSocketCompressionContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** WebSocketCompressionContract on the io_uring backend, two ports. Skipped, with the probe's reason, where io_uring cannot run. */
@ExtendWith(UringAvailable.class)
class UringWebSocketCompressionContractTest extends WebSocketCompressionContract {
    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
