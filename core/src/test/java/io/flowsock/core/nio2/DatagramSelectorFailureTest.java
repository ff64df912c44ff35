package io.flowsock.core.nio2;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Datagram;
import io.flowsock.core.DatagramEndpoint;
import io.flowsock.core.DatagramOptions;
import io.flowsock.core.Transport;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The nio2 datagram selector thread dying (its selector closed under it, as a JDK failure would)
 * fails the receive its sockets have posted instead of leaving them to wait for good, and a socket
 * opened afterwards gets a selector of its own and works.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DatagramSelectorFailureTest {
    @Test
    void aDeadSelectorFailsThePostedReceiveAndANewSocketStillReceives() throws Exception {
        try (Transport transport = Transport.nio2(1)) {
            DatagramEndpoint first = transport.openDatagram(new InetSocketAddress("127.0.0.1", 0),
                    DatagramOptions.DEFAULTS).get(10, TimeUnit.SECONDS);
            CompletableFuture<Throwable> failed = new CompletableFuture<>();
            first.start(Handlers.datagrams(d -> { }, failed));
            first.request(1);                                 // a receive posted, waiting for readiness

            JdkDatagrams datagrams = field(transport, JdkTransport.class, "datagrams");
            AtomicReference<DatagramSelector> selector = field(datagrams, JdkDatagrams.class, "selector");
            Selector nioSelector = field(selector.get(), DatagramSelector.class, "selector");
            nioSelector.close();                              // the selector thread's select() now throws

            assertThat(failed.get(10, TimeUnit.SECONDS)).hasMessageContaining("datagram selector");

            DatagramEndpoint second = transport.openDatagram(new InetSocketAddress("127.0.0.1", 0),
                    DatagramOptions.DEFAULTS).get(10, TimeUnit.SECONDS);
            CompletableFuture<String> got = new CompletableFuture<>();
            second.start(Handlers.datagrams(d -> got.complete(new String(d.data().array(), d.data().arrayOffset(),
                    d.data().remaining(), java.nio.charset.StandardCharsets.UTF_8)), new CompletableFuture<>()));
            second.request(1);
            try (java.net.DatagramSocket peer = new java.net.DatagramSocket()) {
                byte[] hi = "after".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                peer.send(new java.net.DatagramPacket(hi, hi.length, second.localAddress()));
            }
            assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo("after");
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(Object owner, Class<?> type, String name) throws ReflectiveOperationException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return (T) f.get(owner);
    }
}
