package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves BlockHound guards one backend's port threads in the tests of the module that runs it, so a
 * blocking call would fail them. Each backend subclasses it and supplies its transport.
 */
public abstract class BlockHoundContract extends LoopbackFixture {
    @Test
    void aBlockingCallOnACompletionPortThreadIsCaught() throws Exception {
        CompletableFuture<Throwable> caught = new CompletableFuture<>();
        transport.ports().get(0).execute(() -> {
            try {
                Thread.sleep(1);
                caught.complete(null);
            } catch (Throwable t) {
                caught.complete(t);
            }
        });
        Throwable t = caught.get(10, TimeUnit.SECONDS);
        assertThat(t).as("BlockHound's error for Thread.sleep on a port thread").isNotNull();
        assertThat(t.getClass().getName()).isEqualTo("reactor.blockhound.BlockingOperationError");
    }
}
