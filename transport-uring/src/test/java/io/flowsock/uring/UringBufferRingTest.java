package io.flowsock.uring;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Transport;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The port's provided-buffer rings are shared by every connection of the port: a subscriber that
 * stops asking must not keep them, or one slow consumer stops everybody's reads.
 */
@ExtendWith(UringAvailable.class)
class UringBufferRingTest {
    private static final Duration VERIFY = Duration.ofSeconds(20);
    private static final int PAUSED = 64;
    private static final int EACH = 256 * 1024;

    /**
     * Many connections whose subscribers asked for one buffer and then stopped while their peers
     * keep sending: the multishot receive keeps filling small buffers until its cancel lands. An
     * echo of one byte more than a small buffer (a small read, then a large one) on another
     * connection of the same port must still come back whole, and the paused connections, once
     * they ask again, get every byte their peers sent.
     */
    @Test
    void pausedSubscribersLeaveTheSmallRingToAnEchoAndStillGetEveryByte() throws Exception {
        try (Transport t = Transport.of("uring", 1)) {
            Map<Integer, Connection> byPeerPort = new ConcurrentHashMap<>();
            DisposableServer paused = TcpServer.create().host("127.0.0.1").port(0).transport(t)
                    .doOnConnection(c -> byPeerPort.put(c.remoteAddress().getPort(), c)).bindNow(VERIFY);
            DisposableServer echo = TcpServer.create().host("127.0.0.1").port(0).transport(t)
                    .handle(c -> c.send(c.inbound())).bindNow(VERIFY);
            List<Socket> peers = new ArrayList<>();
            List<Recorder> subs = new ArrayList<>();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            AtomicLong written = new AtomicLong();
            try {
                for (int i = 0; i < PAUSED; i++) {
                    Socket peer = new Socket();
                    peers.add(peer);
                    peer.connect(new InetSocketAddress("127.0.0.1", paused.port()), 5_000);
                    Connection conn = awaitAccepted(byPeerPort, peer.getLocalPort());
                    Recorder sub = new Recorder();
                    subs.add(sub);
                    conn.inbound().subscribe(sub);
                    sub.subscribed.get(10, TimeUnit.SECONDS).request(1);   // one read armed, then no demand
                    writers.add(write(peer, data(i), written));
                }
                stall(written);
                assertThat(smallBuffersInUse((UringTransport) t))
                        .as("small buffers kept by " + PAUSED + " paused connections")
                        .isLessThanOrEqualTo(PAUSED * Parked.LIMIT);

                byte[] message = new byte[UringPort.SMALL + 1];
                new Random(5).nextBytes(message);
                byte[] back = echo(echo.port(), message, Duration.ofSeconds(2));
                assertThat(back.length).as("bytes echoed within 2 s beside " + PAUSED + " paused connections")
                        .isEqualTo(message.length);
                assertThat(back).as("the echo").isEqualTo(message);

                for (Recorder sub : subs) {
                    sub.request(Long.MAX_VALUE);
                }
                for (int i = 0; i < PAUSED; i++) {
                    writers.get(i).get(30, TimeUnit.SECONDS);
                    subs.get(i).done.get(30, TimeUnit.SECONDS);
                    assertThat(subs.get(i).bytes()).as("every byte of paused connection " + i).isEqualTo(data(i));
                }
            } finally {
                for (Socket p : peers) {
                    p.close();
                }
                paused.disposeNow(VERIFY);
                echo.disposeNow(VERIFY);
            }
        }
    }

    private static int smallBuffersInUse(UringTransport t) throws Exception {
        UringPort port = t.ports().get(0);
        CompletableFuture<Integer> n = new CompletableFuture<>();
        port.execute(() -> n.complete(port.buffers(true).inUse()));
        return n.get(10, TimeUnit.SECONDS);
    }

    private static byte[] data(int i) {
        byte[] b = new byte[EACH];
        new Random(i).nextBytes(b);
        return b;
    }

    private static Connection awaitAccepted(Map<Integer, Connection> byPeerPort, int peerPort) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!byPeerPort.containsKey(peerPort)) {
            assertThat(System.nanoTime()).as("accepted within 10 s").isLessThan(deadline);
            Thread.sleep(2);
        }
        return byPeerPort.get(peerPort);
    }

    /** Writes {@code data} in 16 KiB pieces, then FIN, on a thread of its own. */
    private static CompletableFuture<Void> write(Socket peer, byte[] data, AtomicLong written) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = peer.getOutputStream();
                for (int off = 0; off < data.length; off += 16 * 1024) {
                    out.write(data, off, Math.min(16 * 1024, data.length - off));
                    written.addAndGet(Math.min(16 * 1024, data.length - off));
                }
                peer.shutdownOutput();
                done.complete(null);
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Waits until the writers have made no progress for 300 ms (at most 20 s). */
    private static void stall(AtomicLong written) throws InterruptedException {
        long last;
        long now = written.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            last = now;
            Thread.sleep(300);
            now = written.get();
        } while (now != last && System.nanoTime() < deadline);
    }

    /** Sends {@code message} on a new connection and reads back as many bytes, or what came within {@code limit}. */
    private static byte[] echo(int port, byte[] message, Duration limit) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.getOutputStream().write(message);
            InputStream in = s.getInputStream();
            byte[] got = new byte[message.length];
            int n = 0;
            long deadline = System.nanoTime() + limit.toNanos();
            while (n < got.length) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                s.setSoTimeout((int) left);
                int k;
                try {
                    k = in.read(got, n, got.length - n);
                } catch (java.net.SocketTimeoutException e) {
                    break;
                }
                if (k < 0) {
                    break;
                }
                n += k;
            }
            return java.util.Arrays.copyOf(got, n);
        }
    }
}
