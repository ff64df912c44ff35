package io.flowsock.uring;

import static io.flowsock.uring.OnPort.onPort;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Channel;
import io.flowsock.core.ChannelHandler;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Send;
import io.flowsock.core.SendSource;
import io.flowsock.core.Timer;
import io.flowsock.reactive.Connection;
import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Receive buffers the core keeps on loan for an echo go back to the port's memory exactly once,
 * however the connection ends: a second return would let the kernel fill one buffer for two
 * receives, a missing one would shrink the ring for good.
 */
@ExtendWith(UringAvailable.class)
class UringLoansTest {
    private static final long WAIT_MS = 10_000;

    private static UringTransport transport() {
        return new UringTransport(1, null, Timer.system());
    }

    /**
     * A handler that echoes each loan and disposes its channel in the same onData, once a large
     * read came: the socket is released inside that call (nothing else is in flight), before the
     * read's completion has recorded which of its buffers the core kept.
     */
    @Test
    void aLoanEchoedByAHandlerThatDisposesItsChannelInTheSameOnDataGoesBackToItsRing() throws Exception {
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            Listener listener = t.listen(new InetSocketAddress("127.0.0.1", 0), ListenOptions.DEFAULTS,
                    UringLoansTest::echoUntilALargeRead);
            for (int i = 0; i < 8; i++) {
                try (Socket peer = new Socket("127.0.0.1", listener.address().getPort())) {
                    peer.setSoTimeout(10_000);
                    OutputStream out = peer.getOutputStream();
                    out.write(new byte[256 * 1024]);
                    InputStream in = peer.getInputStream();
                    while (in.read(new byte[64 * 1024]) >= 0) {
                        // until the server's close
                    }
                } catch (java.net.SocketException reset) {
                    // the server closed with unread bytes: a reset is the usual end here
                }
            }
            assertAllBack(port);
            listener.close();
        }
    }

    private static void echoUntilALargeRead(Channel channel) {
        Send echo = channel.send(new SendSource() {
            @Override
            public void request(long n) {
                channel.request(n);
            }

            @Override
            public void cancel() {
            }

            @Override
            public void onSent() {
            }

            @Override
            public void onFailed(Throwable error) {
            }
        });
        channel.start(new ChannelHandler() {
            @Override
            public void onData(ByteBuffer data) {
                if (data.capacity() > UringPort.SMALL) {
                    echo.offer(data);
                    channel.dispose();
                } else {
                    channel.request(1);   // small ones are let go, so no write is in flight at the large one
                }
            }

            @Override
            public boolean takesLoans() {
                return true;
            }

            @Override
            public void onEnd() {
                echo.complete();
            }

            @Override
            public void onError(Throwable error) {
                echo.fail(error);
            }
        });
    }

    /**
     * Echoes whose sends are parked on peers that stop reading, holding loans, when a third of
     * them are reset by their peers, a third disposed by the server, and the rest closed by the
     * server's disposeNow (a graceful close, then a dispose at its deadline): once released, every
     * loan is back in its ring or the scatter buffers, and none was given back twice.
     */
    @Test
    void loansOfSendsParkedAtAResetADisposeOrAServerDisposeGoBackExactlyOnce() throws Exception {
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            Map<Integer, Connection> byPeerPort = new ConcurrentHashMap<>();
            DisposableServer server = TcpServer.create().host("127.0.0.1").port(0).transport(t).sendCap(64)
                    .option(StandardSocketOptions.SO_SNDBUF, 8 * 1024)
                    .doOnConnection(c -> byPeerPort.put(c.remoteAddress().getPort(), c))
                    .handle(c -> c.send(c.inbound())).bindNow(Duration.ofSeconds(10));
            List<Socket> peers = new ArrayList<>();
            ExecutorService writers = Executors.newCachedThreadPool();
            try {
                for (int i = 0; i < 9; i++) {
                    Socket peer = new Socket();
                    peer.setReceiveBufferSize(4 * 1024);
                    peer.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
                    peers.add(peer);
                    writers.submit(() -> {
                        peer.getOutputStream().write(new byte[4 << 20]);   // blocks once the echo stops reading
                        return null;
                    });
                }
                awaitLoansOut(port, byPeerPort, peers.size());
                for (int i = 0; i < 3; i++) {
                    peers.get(i).setSoLinger(true, 0);
                    peers.get(i).close();                                  // a reset reaches the parked send
                }
                for (int i = 3; i < 6; i++) {
                    byPeerPort.get(peers.get(i).getLocalPort()).dispose();
                }
                server.disposeNow(Duration.ofMillis(500));
                assertAllBack(port);
            } finally {
                writers.shutdownNow();
                for (Socket p : peers) {
                    p.close();
                }
            }
        }
    }

    /** A buffer given back while its pool holds it is refused: never in the ring twice, never free twice. */
    @Test
    void aBufferGivenBackTwiceIsRefusedSoNoTwoReceivesShareIt() throws Exception {
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            String ring = onPort(port, () -> {
                BufferRing large = port.buffers(false);
                large.recycle(0);                        // the ring holds every buffer at the start
                return "in use " + large.inUse() + ", refused " + large.refusedReturns();
            });
            assertThat(ring).isEqualTo("in use 0, refused 1");
            String scatter = onPort(port, () -> {
                ScatterBuffers pool = port.scatterBuffers();
                int id = pool.take();
                pool.release(id);
                pool.release(id);
                int a = pool.take();
                int b = pool.take();
                pool.release(a);
                pool.release(b);
                return "two takes share " + (a == b) + ", in use " + pool.inUse() + ", refused " + pool.refusedReturns();
            });
            assertThat(scatter).isEqualTo("two takes share false, in use 0, refused 1");
        }
    }

    /** Waits until every connection is accepted and the port's receive memory holds loans of parked sends. */
    private static void awaitLoansOut(UringPort port, Map<Integer, Connection> accepted, int connections)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (accepted.size() < connections
                || onPort(port, () -> port.buffers(false).inUse() + port.scatterBuffers().inUse()) < connections) {
            assertThat(System.nanoTime()).as("loans held by parked sends within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Waits until every buffer of the port's rings and scatter buffers is back, and checks none came back twice. */
    private static void assertAllBack(UringPort port) throws Exception {
        Supplier<String> state = () -> "large " + port.buffers(false).inUse() + "/" + port.buffers(false).refusedReturns()
                + ", small " + port.buffers(true).inUse() + "/" + port.buffers(true).refusedReturns()
                + ", scatter " + port.scatterBuffers().inUse() + "/" + port.scatterBuffers().refusedReturns();
        String back = "large 0/0, small 0/0, scatter 0/0";
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        String now = onPort(port, state);
        while (!now.equals(back) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            now = onPort(port, state);
        }
        assertThat(now).as("buffers out/given back twice, once every connection is released").isEqualTo(back);
    }
}
