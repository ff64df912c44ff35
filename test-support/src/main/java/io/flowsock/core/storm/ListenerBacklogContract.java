package io.flowsock.core.storm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flowsock.core.CompletionPort;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Transport;
import java.net.InetSocketAddress;
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
                try {
                    resume.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
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
}
