package io.flowsock.uring;

import io.flowsock.core.Transport;
import io.flowsock.reactive.ConnectionContract;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The connection contract on the io_uring backend, with two ports so accepts and connects spread.
 * Skipped, with the probe's reason, where io_uring cannot run.
 */
class UringConnectionContractTest extends ConnectionContract {
    @BeforeAll
    static void requireUring() {
        var why = new UringProvider().unavailable();
        Assumptions.assumeTrue(why.isEmpty(), () -> "io_uring unavailable: " + why.orElse(""));
    }

    @Override
    protected Transport newTransport() {
        return Transport.of("uring", 2);
    }
}
