package io.flowsock.uring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.Transport;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpClient;
import io.flowsock.reactive.TcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** What the io_uring backend adds to the contract: selection, backpressure over the buffer ring, leaks. */
@ExtendWith(UringAvailable.class)
class UringTransportTest {
    private static final Duration VERIFY = Duration.ofSeconds(20);

    @Test
    void autoChoosesUringWhenTheProbeSucceedsAndNio2CanStillBeForced() {
        try (Transport auto = Transport.of("auto", 1); Transport nio2 = Transport.of("nio2", 1)) {
            assertThat(auto.name()).isEqualTo("uring");
            assertThat(nio2.name()).isEqualTo("nio2");
        }
        assertThat(Transport.shared().name()).as("the shared transport, chosen by auto").isEqualTo("uring");
    }

    @Test
    void anUnknownBackendNameIsRefusedNamingTheChoices() {
        assertThatThrownBy(() -> Transport.of("epoll", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"epoll\"").hasMessageContaining("uring").hasMessageContaining("nio2");
    }

    @Test
    void theEntryClassIsJava17BytecodeSoAnOlderJvmCanLoadIt() throws IOException {
        try (InputStream in = UringProvider.class.getResourceAsStream("UringProvider.class")) {
            byte[] head = in.readNBytes(8);
            int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
            assertThat(major).as("class file major version of UringProvider").isEqualTo(61);
        }
    }

    /**
     * The subscriber stops asking, reading stops and the peer stalls; it asks again, reading resumes
     * at once; every byte arrives once and in order. Repeated, so a receive left armed, a buffer
     * given back twice or data parked and dropped between reads would show.
     */
    @Test
    void demandOfZeroStopsReadingAndReturningDemandResumesWithNoLostBytes() throws Exception {
        try (Transport t = Transport.of("uring", 1)) {
            List<Connection> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
            DisposableServer server = TcpServer.create().host("127.0.0.1").port(0).transport(t).recvBurst(8)
                    .doOnConnection(accepted::add).bindNow(VERIFY);
            byte[] data = new byte[48 << 20];
            new Random(7).nextBytes(data);
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = new CompletableFuture<>();
            try (Socket peer = new Socket()) {
                peer.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
                Thread w = new Thread(() -> {
                    try (OutputStream out = peer.getOutputStream()) {
                        for (int off = 0; off < data.length; off += 16 * 1024) {
                            out.write(data, off, 16 * 1024);
                            written.addAndGet(16 * 1024);
                        }
                        peer.shutdownOutput();
                        writer.complete(null);
                    } catch (IOException e) {
                        writer.completeExceptionally(e);
                    }
                }, "uring-test-writer");
                w.start();
                Recorder sub = new Recorder();
                Connection conn = subscribeFirstAccepted(accepted, sub);
                for (int round = 0; round < 3; round++) {
                    long before = sub.received();
                    sub.request(64);
                    awaitGrowth(sub, before, round);
                    long stalled = stallPoint(written);
                    long held = sub.received();
                    assertThat(stalled).as("peer stalls while demand is zero, round " + round).isLessThan(data.length);
                    Thread.sleep(200);
                    assertThat(sub.received()).as("nothing delivered without demand, round " + round).isEqualTo(held);
                    assertThat(conn.recvBurst().inUse()).as("no read posted without demand").isZero();
                }
                sub.request(Long.MAX_VALUE);
                writer.get(30, TimeUnit.SECONDS);
                sub.done.get(30, TimeUnit.SECONDS);
                assertThat(sub.bytes()).as("every byte, once, in order").isEqualTo(data);
            } finally {
                server.disposeNow(VERIFY);
            }
        }
    }

    /**
     * Small messages stay on ABD's small rung, served by a multishot receive: what arrives while the
     * subscriber has no demand is held, never delivered early and never lost, and reading goes on
     * when it asks again.
     */
    @Test
    void smallMessagesToASubscriberThatPausesArriveInOrderNeverAheadOfDemand() throws Exception {
        try (Transport t = Transport.of("uring", 1)) {
            List<Connection> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
            DisposableServer server = TcpServer.create().host("127.0.0.1").port(0).transport(t)
                    .doOnConnection(accepted::add).bindNow(VERIFY);
            byte[] data = new byte[300 * 100];
            new Random(11).nextBytes(data);
            try (Socket peer = new Socket()) {
                peer.setTcpNoDelay(true);
                peer.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
                Recorder sub = new Recorder();
                subscribeFirstAccepted(accepted, sub);
                Subscription s = sub.subscribed.join();
                CompletableFuture<Void> done = sub.done;
                Thread writer = new Thread(() -> {
                    try {
                        OutputStream out = peer.getOutputStream();
                        for (int off = 0; off < data.length; off += 100) {
                            out.write(data, off, 100);
                            out.flush();
                            if (off % 1000 == 0) {
                                Thread.sleep(1);
                            }
                        }
                        peer.shutdownOutput();
                    } catch (IOException | InterruptedException e) {
                        done.completeExceptionally(e);
                    }
                }, "uring-test-small-writer");
                writer.start();
                Random pauses = new Random(3);
                while (!done.isDone()) {
                    sub.requested.incrementAndGet();
                    s.request(1);
                    long before = sub.delivered.get();
                    long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauses.nextInt(4) == 0 ? 20 : 2);
                    while (sub.delivered.get() == before && !done.isDone() && System.nanoTime() < waitUntil) {
                        Thread.onSpinWait();
                    }
                }
                done.get(30, TimeUnit.SECONDS);
                assertThat(sub.overrun.get()).as("buffers delivered beyond demand").isZero();
                assertThat(sub.bytes()).as("every byte, once, in order").isEqualTo(data);
            } finally {
                server.disposeNow(VERIFY);
            }
        }
    }

    private static void awaitGrowth(Recorder sub, long before, int round) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sub.received() == before) {
            assertThat(System.nanoTime()).as("reading resumed within 10 s of the request, round " + round)
                    .isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    /** Waits for the first accepted connection and subscribes {@code sub} to its inbound, demand zero. */
    private static Connection subscribeFirstAccepted(List<Connection> accepted, Recorder sub) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (accepted.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Connection conn = accepted.get(0);
        conn.inbound().subscribe(sub);
        sub.subscribed.get(10, TimeUnit.SECONDS);   // BaseSubscriber drops requests made before onSubscribe
        return conn;
    }

    /** Waits until the writer has made no progress for 300 ms; returns what it wrote. */
    private static long stallPoint(AtomicLong written) throws InterruptedException {
        long last;
        long now = written.get();
        do {
            last = now;
            Thread.sleep(300);
            now = written.get();
        } while (now != last);
        return now;
    }

    /** Connections, a server and the transport closed: descriptors and port threads are back where they were. */
    @Test
    void closingTheTransportLeavesNoDescriptorsNorThreads() throws Exception {
        long fdsBefore = openDescriptors();
        List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        Transport t = Transport.of("uring", 2, r -> {
            Thread th = new Thread(r, "flowsock-uring-leak-" + threads.size());
            th.setDaemon(true);
            threads.add(th);
            return th;
        }, io.flowsock.core.Timer.system());
        DisposableServer server = TcpServer.create().host("127.0.0.1").port(0).transport(t)
                .handle(c -> c.send(c.inbound())).bindNow(VERIFY);
        List<Connection> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            clients.add(TcpClient.create().host("127.0.0.1").port(server.port()).transport(t).connectNow(VERIFY));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.connections() < 50 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(openDescriptors()).as("both ends of 50 connections open").isGreaterThanOrEqualTo(fdsBefore + 100);
        for (Connection c : clients) {
            StepVerifier.create(c.send(Mono.just(ByteBuffer.wrap(new byte[] {1, 2, 3})))
                            .thenMany(c.inbound().take(1)).then())
                    .expectComplete().verify(VERIFY);
        }
        t.close();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (openDescriptors() > fdsBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(openDescriptors()).as("descriptors after close").isLessThanOrEqualTo(fdsBefore);
        assertThat(threads).hasSize(2).noneMatch(Thread::isAlive);
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
