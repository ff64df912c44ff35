package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * TcpServer's contract for one backend: builder, argument checks, bind failures, lifecycle. Each
 * backend subclasses it and supplies its transport; a backend that cannot run here is skipped with
 * the reason in the subclass.
 */
public abstract class TcpServerContract extends LoopbackFixture {
    private static final Duration VERIFY = Duration.ofSeconds(10);

    @Test
    void everyBuilderCallReturnsANewInstanceAndLeavesTheReceiverUntouched() {
        TcpServer base = TcpServer.create();
        TcpServer changed = base.host("127.0.0.1").port(1234).backlog(10).sendCap(20).recvBurst(20)
                .firstByteTimeout(Duration.ofSeconds(5)).readIdleTimeout(Duration.ofSeconds(6))
                .writeIdleTimeout(Duration.ofSeconds(7)).closeTimeout(Duration.ofSeconds(8))
                .option(StandardSocketOptions.TCP_NODELAY, true);

        assertThat(changed).isNotSameAs(base);
        assertThat(base.listenOptions()).isEqualTo(TcpServer.create().listenOptions());
        assertThat(base.channelOptions().sendCap()).isEqualTo(16);
        assertThat(base.channelOptions().socketOptions()).isEmpty();
        assertThat(changed.listenOptions().backlog()).isEqualTo(10);
        assertThat(changed.channelOptions().sendCap()).isEqualTo(20);
        assertThat(changed.channelOptions().recvBurst()).isEqualTo(20);
        assertThat(changed.channelOptions().firstByteTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(changed.channelOptions().socketOptions()).containsEntry(StandardSocketOptions.TCP_NODELAY, true);
    }

    @Test
    void badArgumentsFailInTheCallNamingArgumentAndValue() {
        TcpServer s = TcpServer.create();
        assertThatThrownBy(() -> s.port(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be in 0..65535, was -1");
        assertThatThrownBy(() -> s.port(65536)).hasMessage("port must be in 0..65535, was 65536");
        assertThatThrownBy(() -> s.host(null)).isInstanceOf(NullPointerException.class).hasMessage("host");
        assertThatThrownBy(() -> s.host(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("host must not be blank, was \" \"");
        assertThatThrownBy(() -> s.backlog(0)).hasMessage("backlog must be >= 1, was 0");
        assertThatThrownBy(() -> s.sendCap(0)).hasMessage("sendCap must be >= 1, was 0");
        assertThatThrownBy(() -> s.recvBurst(-3)).hasMessage("recvBurst must be >= 1, was -3");
        assertThatThrownBy(() -> s.firstByteTimeout(Duration.ofSeconds(-1)))
                .hasMessage("firstByteTimeout must not be negative, was PT-1S");
        assertThatThrownBy(() -> s.readIdleTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("readIdleTimeout");
        assertThatThrownBy(() -> s.closeTimeout(Duration.ofMillis(-5)))
                .hasMessage("closeTimeout must not be negative, was PT-0.005S");
        assertThatThrownBy(() -> s.option(StandardSocketOptions.SO_RCVBUF, -1))
                .hasMessage("SO_RCVBUF must be >= 0, was -1");
        assertThatThrownBy(() -> s.option(StandardSocketOptions.TCP_NODELAY, null))
                .hasMessage("value for TCP_NODELAY must not be null");
        assertThatThrownBy(() -> s.option(StandardSocketOptions.SO_LINGER, 5))
                .hasMessageStartingWith("SO_LINGER must be 0 (abortive close) or unset, was 5");
        assertThatThrownBy(() -> s.handle(null)).isInstanceOf(NullPointerException.class).hasMessage("handler");
        assertThatThrownBy(() -> s.doOnConnection(null)).hasMessage("onConnection");
        assertThatThrownBy(() -> s.transport(null)).hasMessage("transport");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void anOptionValueOfTheWrongTypeIsRefusedNamingBoth() {
        java.net.SocketOption raw = StandardSocketOptions.SO_RCVBUF;
        assertThatThrownBy(() -> TcpServer.create().option(raw, "big"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value for SO_RCVBUF must be a Integer, was String big");
    }

    @Test
    void bindFailsNamingTheAddressWhenPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            StepVerifier.create(TcpServer.create().host("127.0.0.1").port(port).transport(transport).bind())
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(BindException.class).hasMessageContaining("127.0.0.1:" + port);
                        assertThat(((BindException) e).address()).isEqualTo(new InetSocketAddress("127.0.0.1", port));
                    })
                    .verify(VERIFY);
        }
    }

    @Test
    void aSecondServerOnTheSamePortIsRefusedNotSilentlyShared() {
        DisposableServer first = TcpServer.create().host("127.0.0.1").port(0).transport(transport).bindNow(VERIFY);
        try {
            assertThatThrownBy(() -> TcpServer.create().host("127.0.0.1").port(first.port()).transport(transport)
                    .bindNow(VERIFY))
                    .isInstanceOf(BindException.class).hasMessageContaining(":" + first.port());
        } finally {
            first.disposeNow(VERIFY);
        }
    }

    @Test
    void anOptionThePlatformDoesNotSupportFailsTheBindNamingIt() {
        // NIO.2's asynchronous sockets have no SO_LINGER, nor has io_uring's backend: the bind, not the
        // first accept, says so.
        StepVerifier.create(TcpServer.create().host("127.0.0.1").port(0).transport(transport)
                        .option(StandardSocketOptions.SO_LINGER, 0).bind())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("SO_LINGER"))
                .verify(VERIFY);
    }

    @Test
    void bindIsLazyAndReportsTheRealPortAndBacklog() {
        var bind = TcpServer.create().host("127.0.0.1").port(0).transport(transport).backlog(77).bind();
        DisposableServer s = bind.block(VERIFY);
        try {
            assertThat(s.port()).isPositive();
            assertThat(s.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(s.backlog().cap()).isEqualTo(77);
            Loopback.await(() -> s.backlog().inUse() >= 1, VERIFY, "an accept posted");
            s.backlog(500);
            assertThat(s.backlog().cap()).isEqualTo(500);
        } finally {
            s.disposeNow(VERIFY);
        }
        assertThat(s.isDisposed()).isTrue();
    }

    @Test
    void lifecycleHooksRunInOrder() throws Exception {
        java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        DisposableServer s = TcpServer.create().host("127.0.0.1").port(0).transport(transport)
                .doOnBound(x -> events.add("bound"))
                .doOnConnection(c -> events.add("connection"))
                .handle(c -> {
                    events.add("handle");
                    return c.send(reactor.core.publisher.Mono.just(Loopback.utf8("hi")));
                })
                .doOnUnbound(x -> events.add("unbound"))
                .bindNow(VERIFY);
        try (java.net.Socket peer = Loopback.rawClient(s.port())) {
            assertThat(new String(peer.getInputStream().readNBytes(2))).isEqualTo("hi");
        }
        s.disposeNow(VERIFY);
        assertThat(events).containsExactly("bound", "connection", "handle", "unbound");
    }
}
