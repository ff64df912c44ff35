package io.flowsock.core.nio2;

import io.flowsock.core.Datagram;
import io.flowsock.core.DatagramHandler;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Datagram handlers for the nio2 tests. */
final class Handlers {
    private Handlers() {
    }

    /** Passes each datagram to {@code onDatagram} and completes {@code onError} with the failure. */
    static DatagramHandler datagrams(Consumer<Datagram> onDatagram, CompletableFuture<Throwable> onError) {
        return new DatagramHandler() {
            @Override
            public void onDatagram(Datagram datagram) {
                onDatagram.accept(datagram);
            }

            @Override
            public void onEnd() {
            }

            @Override
            public void onError(Throwable error) {
                onError.complete(error);
            }
        };
    }
}
