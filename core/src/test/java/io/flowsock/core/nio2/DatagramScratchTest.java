package io.flowsock.core.nio2;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Datagram;
import io.flowsock.core.DatagramEndpoint;
import io.flowsock.core.DatagramOptions;
import io.flowsock.core.Transport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The nio2 port's one receive slab, shared by its datagram sockets: a receive that a handler of one
 * socket starts on another socket of the same port must not land in the slab while the first
 * socket's batch is still being delivered from it, and a batch of large datagrams is split across
 * slabs without losing or cutting any.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DatagramScratchTest {
    private static final DatagramOptions BURSTY = DatagramOptions.DEFAULTS.withRecvBurst(64);

    @Test
    void aReceiveStartedFromAnotherSocketsHandlerDoesNotOverwriteTheBatchBeingDelivered() throws Exception {
        int count = 50;
        try (Transport transport = Transport.nio2(1);
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            DatagramEndpoint a = open(transport);
            DatagramEndpoint b = open(transport);
            List<String> gotA = new CopyOnWriteArrayList<>();
            List<Integer> gotB = new CopyOnWriteArrayList<>();
            CompletableFuture<Throwable> failed = new CompletableFuture<>();
            b.start(Handlers.datagrams(d -> gotB.add(d.data().remaining()), failed));
            a.start(Handlers.datagrams(d -> {
                gotA.add(StandardCharsets.UTF_8.decode(d.data()).toString());
                b.request(1);    // on the port thread, within a's completion: b's datagrams are queued already
            }, failed));

            byte[] longOne = new byte[1000];
            java.util.Arrays.fill(longOne, (byte) 'B');
            for (int i = 0; i < count; i++) {
                peer.send(new DatagramPacket(longOne, longOne.length, b.localAddress()));
            }
            List<String> sent = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                String s = String.format("a-%04d", i);
                sent.add(s);
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                peer.send(new DatagramPacket(bytes, bytes.length, a.localAddress()));
            }
            a.request(count);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((gotA.size() < count || gotB.size() < count) && System.nanoTime() < deadline && !failed.isDone()) {
                Thread.sleep(10);
            }
            assertThat(failed.isDone()).as("no socket failed: %s", failed.getNow(null)).isFalse();
            assertThat(gotA).containsExactlyElementsOf(sent);
            assertThat(gotB).hasSize(count).containsOnly(1000);
            a.dispose();
            b.dispose();
        }
    }

    @Test
    void largeDatagramsArriveWholeAcrossBatches() throws Exception {
        int count = 12;
        int size = 60_000;
        try (Transport transport = Transport.nio2(1);
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            DatagramEndpoint e = transport.openDatagram(new InetSocketAddress("127.0.0.1", 0),
                    BURSTY.withOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20)).get(10, TimeUnit.SECONDS);
            List<Datagram> got = new CopyOnWriteArrayList<>();
            CompletableFuture<Throwable> failed = new CompletableFuture<>();
            e.start(Handlers.datagrams(got::add, failed));
            for (int i = 0; i < count; i++) {
                byte[] bytes = new byte[size];
                java.util.Arrays.fill(bytes, (byte) i);
                peer.send(new DatagramPacket(bytes, bytes.length, e.localAddress()));
            }
            e.request(count);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got.size() + Math.max(0, e.drops()) < count && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(failed.isDone()).isFalse();
            assertThat(got).isNotEmpty();
            int previous = -1;
            for (Datagram d : got) {
                assertThat(d.truncated()).isFalse();
                assertThat(d.data().remaining()).isEqualTo(size);
                byte first = d.data().get(0);
                assertThat(first).isGreaterThan((byte) previous);
                for (int i = 0; i < size; i++) {
                    assertThat(d.data().get(i)).isEqualTo(first);
                }
                previous = first;
            }
            e.dispose();
        }
    }

    private static DatagramEndpoint open(Transport transport) throws Exception {
        return transport.openDatagram(new InetSocketAddress("127.0.0.1", 0), BURSTY).get(10, TimeUnit.SECONDS);
    }
}
