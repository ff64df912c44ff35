package io.flowsock.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.BindException;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.ConnectTimeoutException;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every backend's {@link Transport} does alike, over real loopback sockets: the checks of
 * listen and connect arguments, the spread of connects over the ports, the SO_REUSEPORT bind,
 * connect timeouts and the close. Each backend subclasses it and supplies its transport; public,
 * in core's test-jar, so a backend in another module (io_uring) runs the same suite; in a package
 * of its own, since the core module's packages hide a test-jar's classes from other modules.
 */
public abstract class TransportContract {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 0);
    private static final Duration CONNECT = Duration.ofSeconds(10);

    protected Transport transport;

    /** The backend under test, with {@code ports} ports. */
    protected abstract Transport newTransport(int ports);

    @BeforeEach
    void open() {
        transport = newTransport(2);
    }

    @AfterEach
    void close() {
        transport.close();
    }

    @Test
    public void listenRefusesAnUnresolvedAddressNamingIt() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no-such-host.invalid", 0);
        assertThatThrownBy(() -> transport.listen(unresolved, ListenOptions.DEFAULTS, Channel::dispose))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("address must be resolved, was " + unresolved);
    }

    @Test
    public void connectRefusesANegativeTimeoutNamingIt() {
        assertThatThrownBy(() -> transport.connect(new InetSocketAddress("127.0.0.1", 9), ChannelOptions.DEFAULTS,
                Duration.ofMillis(-1)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must not be negative, was PT-0.001S");
    }

    @Test
    public void connectRefusesAnUnresolvedRemoteNamingIt() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no-such-host.invalid", 80);
        assertThatThrownBy(() -> transport.connect(unresolved, ChannelOptions.DEFAULTS, CONNECT))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("remote must be resolved, was " + unresolved);
    }

    @Test
    public void connectsTakeThePortsInTurn() throws Exception {
        Listener listener = transport.listen(LOCAL, ListenOptions.DEFAULTS, c -> { });
        List<Channel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                channels.add(connect(listener.address()));
            }
            assertThat(channels.get(0).port()).isNotSameAs(channels.get(1).port());
            assertThat(channels.get(2).port()).isSameAs(channels.get(0).port());
            assertThat(channels.get(3).port()).isSameAs(channels.get(1).port());
        } finally {
            channels.forEach(Channel::dispose);
            closeAndWait(listener);
        }
    }

    @Test
    public void aTakenPortIsRefusedNamingItUnlessEveryListenerAsksToShare() throws Exception {
        ListenOptions sharing = ListenOptions.DEFAULTS.withReusePort(true);
        Listener first = transport.listen(LOCAL, sharing, Channel::dispose);
        InetSocketAddress taken = first.address();
        try {
            assertThatThrownBy(() -> transport.listen(taken, ListenOptions.DEFAULTS, Channel::dispose))
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getPort())
                    .satisfies(e -> assertThat(((BindException) e).address()).isEqualTo(taken));
            Listener second = transport.listen(taken, sharing, Channel::dispose);
            try {
                assertThat(second.address()).isEqualTo(taken);
                for (int i = 0; i < 8; i++) {
                    connect(taken).dispose();
                }
                assertThat(first.accepted() + second.accepted()).as("connections accepted by either").isPositive();
            } finally {
                closeAndWait(second);
            }
        } finally {
            closeAndWait(first);
        }
    }

    @Test
    public void aPortThatIsNotFlowsocksIsRefusedToo() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress taken = new InetSocketAddress("127.0.0.1", other.getLocalPort());
            assertThatThrownBy(() -> transport.listen(taken, ListenOptions.DEFAULTS, Channel::dispose))
                    .isInstanceOf(BindException.class)
                    .satisfies(e -> assertThat(((BindException) e).address()).isEqualTo(taken));
        }
    }

    @Test
    public void aConnectThatGetsNoAnswerTimesOut() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"),
                "relies on Linux dropping a SYN when the accept queue is full");
        try (ServerSocket deaf = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", deaf.getLocalPort());
            List<Socket> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {       // a backlog of 1 queues 2; the next SYN is dropped
                    queued.add(new Socket(address.getAddress(), address.getPort()));
                }
                CompletableFuture<Channel> connecting = transport.connect(address, ChannelOptions.DEFAULTS,
                        Duration.ofMillis(200));
                assertThatThrownBy(() -> connecting.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(ConnectTimeoutException.class)
                        .hasMessageContaining("127.0.0.1:" + address.getPort());
            } finally {
                for (Socket s : queued) {
                    s.close();
                }
            }
        }
    }

    @Test
    public void closingTheTransportClosesItsListenersAndConnectionsAndRefusesNewWork() throws Exception {
        Listener listener = transport.listen(LOCAL, ListenOptions.DEFAULTS, c -> { });
        Channel channel = connect(listener.address());
        transport.close();
        listener.onClose().get(10, TimeUnit.SECONDS);
        channel.onClose().get(10, TimeUnit.SECONDS);
        assertThat(channel.isOpen()).isFalse();
        String closed = "transport " + transport.name() + " is closed";
        assertThatThrownBy(() -> transport.listen(LOCAL, ListenOptions.DEFAULTS, c -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessage(closed);
        assertThatThrownBy(() -> transport.connect(listener.address(), ChannelOptions.DEFAULTS, CONNECT))
                .isInstanceOf(IllegalStateException.class).hasMessage(closed);
    }

    private Channel connect(InetSocketAddress address) throws Exception {
        return transport.connect(address, ChannelOptions.DEFAULTS, CONNECT).get(10, TimeUnit.SECONDS);
    }

    private static void closeAndWait(Listener listener) throws Exception {
        listener.close();
        listener.onClose().get(10, TimeUnit.SECONDS);
    }
}
