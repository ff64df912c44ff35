package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.ConnectRefusedException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * TcpClient's contract for one backend: builder, argument checks, connect failures and timeouts.
 * Each backend subclasses it and supplies its transport; a backend that cannot run here is skipped
 * with the reason in the subclass.
 */
public abstract class TcpClientContract extends LoopbackFixture {
    private static final Duration VERIFY = Duration.ofSeconds(10);

    @Test
    void everyBuilderCallReturnsANewInstanceAndLeavesTheReceiverUntouched() {
        TcpClient base = TcpClient.create();
        TcpClient changed = base.host("::1").port(80).sendCap(3).recvBurst(4).connectTimeout(Duration.ofSeconds(1))
                .option(StandardSocketOptions.SO_KEEPALIVE, true);
        assertThat(changed).isNotSameAs(base);
        assertThat(base.channelOptions()).isEqualTo(TcpClient.create().channelOptions());
        assertThat(changed.channelOptions().sendCap()).isEqualTo(3);
        assertThat(changed.channelOptions().recvBurst()).isEqualTo(4);
    }

    @Test
    void badArgumentsFailInTheCallNamingArgumentAndValue() {
        TcpClient c = TcpClient.create();
        assertThatThrownBy(() -> c.port(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be in 1..65535, was 0");
        assertThatThrownBy(() -> c.port(70000)).hasMessage("port must be in 1..65535, was 70000");
        assertThatThrownBy(() -> c.host("")).hasMessage("host must not be blank, was \"\"");
        assertThatThrownBy(() -> c.connectTimeout(Duration.ofSeconds(-2)))
                .hasMessage("connectTimeout must not be negative, was PT-2S");
        assertThatThrownBy(() -> c.connectTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("connectTimeout");
        assertThatThrownBy(() -> c.sendCap(-1)).hasMessage("sendCap must be >= 1, was -1");
        assertThatThrownBy(() -> c.doOnConnected(null)).hasMessage("onConnected");
    }

    @Test
    void connectWithoutAPortFailsSayingSo() {
        StepVerifier.create(TcpClient.create().transport(transport).connect())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("port is not set"))
                .verify(VERIFY);
    }

    @Test
    void connectToAClosedPortIsRefusedNamingTheAddress() throws Exception {
        int port = Loopback.closedPort();
        StepVerifier.create(TcpClient.create().host("127.0.0.1").port(port).transport(transport).connect())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ConnectRefusedException.class)
                            .hasMessageContaining("127.0.0.1:" + port);
                    assertThat(((ConnectRefusedException) e).address())
                            .isEqualTo(new InetSocketAddress("127.0.0.1", port));
                })
                .verify(VERIFY);
    }

    @Test
    void aConnectThatDoesNotCompleteInTimeFailsNamingTheAddressAndTimeout() throws Exception {
        // A listener that never accepts, with its queue full: the kernel drops further SYNs, so a
        // connect neither succeeds nor is refused until the client gives up.
        java.util.List<java.net.Socket> fillers = new java.util.ArrayList<>();
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = full.getLocalPort();
            boolean queueFull = false;
            for (int i = 0; i < 16 && !queueFull; i++) {
                java.net.Socket s = new java.net.Socket();
                fillers.add(s);
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                } catch (java.net.SocketTimeoutException e) {
                    queueFull = true;
                }
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(queueFull,
                    "this kernel accepted every connect into a full queue; no way to make one hang here");
            StepVerifier.create(TcpClient.create().host("127.0.0.1").port(port).transport(transport)
                            .connectTimeout(Duration.ofMillis(300)).connect())
                    .expectErrorSatisfies(e -> assertThat(e)
                            .isInstanceOf(io.flowsock.core.ConnectTimeoutException.class)
                            .hasMessage("connect to /127.0.0.1:" + port + " timed out after PT0.3S"))
                    .verify(VERIFY);
        } finally {
            for (java.net.Socket s : fillers) {
                s.close();
            }
        }
    }

    @Test
    void connectNowRethrowsTheTypedFailure() throws Exception {
        int port = Loopback.closedPort();
        assertThatThrownBy(() -> TcpClient.create().host("127.0.0.1").port(port).transport(transport).connectNow(VERIFY))
                .isInstanceOf(ConnectRefusedException.class);
    }

    @Test
    void doOnConnectedSeesTheConnectionBeforeTheCaller() {
        DisposableServer s = TcpServer.create().host("127.0.0.1").port(0).transport(transport).bindNow(VERIFY);
        try {
            java.util.concurrent.atomic.AtomicReference<Connection> seen = new java.util.concurrent.atomic.AtomicReference<>();
            Connection c = TcpClient.create().host("127.0.0.1").port(s.port()).transport(transport)
                    .doOnConnected(seen::set)
                    .connectNow(VERIFY);
            assertThat(seen.get()).isSameAs(c);
            c.dispose();
            StepVerifier.create(c.onClose()).expectComplete().verify(VERIFY);
        } finally {
            s.disposeNow(VERIFY);
        }
    }
}
