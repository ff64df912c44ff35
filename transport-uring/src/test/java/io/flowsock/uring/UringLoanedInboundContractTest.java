package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.LoanedInboundContract;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The loaned mode on the io_uring backend, two ports shared by the connections; the buffers out
 * are those taken from the ports' provided-buffer rings and not given back. Skipped, with the
 * probe's reason, where io_uring cannot run.
 */
@ExtendWith(UringAvailable.class)
class UringLoanedInboundContractTest extends LoanedInboundContract {
    private UringTransport uring;

    @Override
    protected Transport newTransport() {
        uring = (UringTransport) Transport.of("uring", 2);
        return uring;
    }

    @Override
    protected OptionalInt receiveBuffersOut() {
        int out = 0;
        for (UringPort port : uring.ports()) {
            CompletableFuture<Integer> n = new CompletableFuture<>();
            port.execute(() -> n.complete(port.buffers(true).inUse() + port.buffers(false).inUse()));
            try {
                out += n.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the port did not answer", e);
            }
        }
        return OptionalInt.of(out);
    }
}
