package io.flowsock.core.storm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flowsock.core.CompletionPort;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Transport;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The backlog as a storm meets it: what the kernel queues while the server is too busy to accept.
 * A connection that finds its listener's queue full waits for a TCP retransmission (a second or
 * more), and in a long storm, once the kernel answers with SYN cookies, it is lost for good.
 */
public abstract class ListenerBacklogContract {
    private static final int BACKLOG = 200;
    /** What setting one connection up costs the port in {@link #aStormIsAcceptedAsFastAsItComesWhileSetupsAreSlow}. */
    private static final long SETUP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private Transport transport;

    /** The backend under test, with two ports; each backend subclasses this contract. */
    protected abstract Transport newTransport();

    @BeforeEach
    public void open() {
        transport = newTransport();
    }

    @AfterEach
    public void close() {
        transport.close();
    }

    /**
     * The kernel spreads connections over a server's listeners (one per port) by a hash of the
     * addresses, unevenly: with the backlog split between them, one listener's share overflows
     * long before the server holds backlog connections. Each must be able to queue all of them.
     */
    @Test
    public void aServerWithBusyPortsQueuesBacklogConnectionsAndAcceptsThemWithoutARetransmission() throws Exception {
        Path somaxconn = Path.of("/proc/sys/net/core/somaxconn");
        // read whole lines: a sysctl file answers a read from a later offset with EOF, so Files.readString,
        // which reads one byte first when the size is 0, sees "4" of "4096"
        assumeTrue(!Files.exists(somaxconn) || Integer.parseInt(Files.readAllLines(somaxconn).get(0).trim()) >= BACKLOG,
                "the kernel clamps every listen queue below " + BACKLOG + " (net.core.somaxconn)");
        AtomicInteger accepted = new AtomicInteger();
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0),
                ListenOptions.DEFAULTS.withBacklog(BACKLOG), c -> {
                    accepted.incrementAndGet();
                    c.dispose();
                });
        CountDownLatch busy = new CountDownLatch(transport.ports().size());
        CountDownLatch resume = new CountDownLatch(1);
        for (CompletionPort port : transport.ports()) {
            port.execute(() -> {   // a port stuck in long work: nothing is accepted meanwhile
                busy.countDown();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (resume.getCount() > 0 && System.nanoTime() < until) {
                    busy.getCount();   // busy, not parked: BlockHound fails a port thread that parks
                }
            });
        }
        assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
        List<SocketChannel> clients = new ArrayList<>();
        try {
            for (int i = 0; i < BACKLOG; i++) {
                SocketChannel ch = SocketChannel.open();
                clients.add(ch);
                ch.configureBlocking(false);
                ch.connect(listener.address());
            }
            Thread.sleep(300);   // every handshake is done in the kernel, or its SYN was dropped
            resume.countDown();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(700);   // retransmits come at 1 s
            while (accepted.get() < BACKLOG && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(accepted.get()).as("connections accepted within 0.7 s of the ports resuming, of the %d"
                    + " that arrived while they were busy (backlog %d over %d listeners)", BACKLOG, BACKLOG,
                    transport.ports().size()).isEqualTo(BACKLOG);
        } finally {
            resume.countDown();
            for (SocketChannel ch : clients) {
                ch.close();
            }
            listener.close();
        }
    }

    /**
     * Setting a connection up (the accept callback, which runs a server's handler) costs more than
     * accepting it. A port that accepted only as fast as it set connections up left the storm in
     * the kernel's listen queue until it overflowed, and the kernel dropped SYNs that clients
     * retransmit only after a second. Accepting must keep up with the storm, not with the setups:
     * here 3 × backlog connections come at once to two listeners that each take backlog waiting
     * for setup plus backlog in the listen queue, and every connect completes without a
     * retransmission though the ports need a third of a second to set them all up.
     */
    @Test
    public void aStormIsAcceptedAsFastAsItComesWhileSetupsAreSlow() throws Exception {
        assumeTrue(transport.ports().size() >= 2, "needs two listeners");
        Path somaxconn = Path.of("/proc/sys/net/core/somaxconn");
        assumeTrue(!Files.exists(somaxconn) || Integer.parseInt(Files.readAllLines(somaxconn).get(0).trim()) >= BACKLOG,
                "the kernel clamps every listen queue below " + BACKLOG + " (net.core.somaxconn)");
        int storm = 3 * BACKLOG;
        AtomicInteger accepted = new AtomicInteger();
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0),
                ListenOptions.DEFAULTS.withBacklog(BACKLOG), c -> {
                    long until = System.nanoTime() + SETUP_NANOS;   // a handler that works before it returns
                    while (System.nanoTime() < until) {
                        accepted.get();                             // busy, not parked: a port never blocks
                    }
                    accepted.incrementAndGet();
                    c.dispose();
                });
        List<SocketChannel> clients = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            // a few first, so that the storm meets ports whose first setup (class loading) is behind them
            for (int i = 0; i < 20; i++) {
                clients.add(SocketChannel.open(listener.address()));
            }
            long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (accepted.get() < 20 && System.nanoTime() < warm) {
                Thread.sleep(5);
            }
            accepted.set(0);
            long t0 = System.nanoTime();
            for (int i = 0; i < storm; i++) {
                SocketChannel ch = SocketChannel.open();
                clients.add(ch);
                ch.configureBlocking(false);
                if (!ch.connect(listener.address())) {
                    ch.register(selector, SelectionKey.OP_CONNECT);
                }
            }
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(900);   // a dropped SYN is sent again after 1 s
            int connected = storm - selector.keys().size();
            while (connected < storm && System.nanoTime() < deadline) {
                selector.select(10);
                for (SelectionKey k : selector.selectedKeys()) {
                    try {
                        if (((SocketChannel) k.channel()).finishConnect()) {
                            connected++;
                            k.cancel();
                        }
                    } catch (java.io.IOException e) {
                        k.cancel();                                 // refused or reset: not connected
                    }
                }
                selector.selectedKeys().clear();
            }
            assertThat(connected).as("connects completed before a SYN retransmission, of %d at once"
                    + " (backlog %d over %d listeners, %d ms of setup each)", storm, BACKLOG,
                    transport.ports().size(), TimeUnit.NANOSECONDS.toMillis(SETUP_NANOS)).isEqualTo(storm);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (accepted.get() < storm && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertThat(accepted.get()).as("connections set up and handed over").isEqualTo(storm);
        } finally {
            for (SocketChannel ch : clients) {
                ch.close();
            }
            listener.close();
        }
    }
}
