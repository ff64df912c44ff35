package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Datagram;
import io.flowsock.core.DatagramTooLargeException;
import io.flowsock.core.PeerUnreachableException;
import io.flowsock.core.Transport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * UDP over real loopback sockets for one backend: echo with every datagram accounted for, demand
 * that stops receives, IPv6, a connected client, the errors (too large, truncated, port
 * unreachable) and the lifecycle. Each backend subclasses it and supplies its transport.
 */
@Timeout(60)
public abstract class UdpContract {
    protected static final Duration VERIFY = Duration.ofSeconds(20);

    /** The backend under test, created fresh for each test and closed after it. */
    protected abstract Transport newTransport();

    protected Transport transport;
    /** Disposed after each test. */
    protected final List<UdpSocket> sockets = new ArrayList<>();

    @BeforeEach
    public void openTransport() {
        transport = newTransport();
    }

    @AfterEach
    public void closeAll() {
        for (UdpSocket s : sockets) {
            s.disposeNow(Duration.ofSeconds(5));
        }
        transport.close();
    }

    protected UdpServer server() {
        return UdpServer.create().host("127.0.0.1").port(0).transport(transport);
    }

    protected <S extends UdpSocket> S keep(S s) {
        sockets.add(s);
        return s;
    }

    protected UdpEndpoint echo(UdpServer s) {
        return keep(s.handle(udp -> udp.send(udp.inbound())).bindNow(VERIFY));
    }

    protected UdpClient client(UdpSocket server) {
        return UdpClient.create().host(server.localAddress().getAddress().getHostAddress())
                .port(server.localAddress().getPort()).transport(transport);
    }

    protected static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    protected static String text(ByteBuffer b) {
        return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    @Test
    public void aConnectedClientGetsEachDatagramEchoedWhole() {
        UdpEndpoint server = echo(server());
        UdpConnection c = keep(client(server).connectNow(VERIFY));
        assertThat(c.remoteAddress()).isEqualTo(server.localAddress());

        Mono<List<String>> back = c.inbound().map(UdpContract::text).take(3).collectList();
        StepVerifier.create(c.send(Flux.just(utf8("one"), utf8("two"), utf8("three"))).then(back))
                .assertNext(l -> assertThat(l).containsExactlyInAnyOrder("one", "two", "three"))
                .expectComplete().verify(VERIFY);
    }

    @Test
    public void theServerSeesEachSendersAddress() throws Exception {
        UdpEndpoint server = echo(server());
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            peer.setSoTimeout(10_000);
            byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
            peer.send(new DatagramPacket(hello, hello.length, server.localAddress()));
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            peer.receive(p);
            assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(p.getSocketAddress()).isEqualTo(server.localAddress());
        }
    }

    @Test
    public void echoOf100000DatagramsAccountsForEveryOne() {
        UdpEndpoint server = keep(server().recvBurst(32).sendCap(32)
                .option(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20)
                .handle(udp -> udp.send(udp.inbound()).doOnError(Throwable::printStackTrace)).bindNow(VERIFY));
        UdpConnection c = keep(client(server).recvBurst(32).sendCap(32)
                .option(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20).connectNow(VERIFY));
        int total = 100_000;
        AtomicLong received = new AtomicLong();
        c.inbound().subscribe(b -> received.incrementAndGet());
        // in windows, so the kernel queues rarely overflow; what does is counted as drops
        for (int w = 0; w < total / 1000; w++) {
            int base = w * 1000;
            c.send(Flux.range(base, 1000).map(i -> ByteBuffer.allocate(64).putInt(0, i))).block(VERIFY);
            long want = base + 1000;
            Loopback.await(() -> received.get() + Math.max(0, server.drops()) + Math.max(0, c.drops()) >= want
                            || received.get() >= want - 50, VERIFY, "window " + w + " echoed");
        }
        Loopback.await(() -> received.get() + Math.max(0, server.drops()) + Math.max(0, c.drops()) >= total,
                VERIFY, "every datagram received or counted as dropped");
        assertThat(received.get() + Math.max(0, server.drops()) + Math.max(0, c.drops())).isGreaterThanOrEqualTo(total);
    }

    @Test
    public void aPausedSubscriberPostsNoReceiveAndTheKernelDrops() {
        UdpEndpoint server = keep(server().option(java.net.StandardSocketOptions.SO_RCVBUF, 4096).bindNow(VERIFY));
        Assumptions.assumeTrue(server.drops() >= 0, "this backend cannot tell kernel drops here");
        StepVerifier.create(server.inbound(), 0)
                .then(() -> assertThat(server.recvBurst().inUse()).isZero())
                .then(() -> blast(server.localAddress(), 2_000))
                .then(() -> Loopback.await(() -> server.drops() > 0, VERIFY,
                        "the kernel dropping what the unread socket cannot hold"))
                .then(() -> assertThat(server.recvBurst().inUse()).isZero())
                .thenRequest(1).expectNextCount(1)
                .thenCancel().verify(VERIFY);
        assertThat(server.drops()).isPositive();
    }

    static void blast(InetSocketAddress to, int n) {
        try (DatagramSocket peer = new DatagramSocket()) {
            byte[] b = new byte[512];
            for (int i = 0; i < n; i++) {
                peer.send(new DatagramPacket(b, b.length, to));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    public void echoOverIpv6Loopback() {
        Assumptions.assumeTrue(Loopback.ipv6LoopbackAvailable(), "this machine has no ::1 to bind");
        UdpEndpoint server = echo(server().host("::1"));
        assertThat(server.localAddress().getAddress()).isInstanceOf(java.net.Inet6Address.class);
        UdpConnection c = keep(client(server).connectNow(VERIFY));
        StepVerifier.create(c.send(Mono.just(utf8("over v6"))).then(c.inbound().map(UdpContract::text).next()))
                .expectNext("over v6").expectComplete().verify(VERIFY);
    }

    @Test
    public void anOversizedDatagramFailsItsSendNamingTheSize() {
        UdpEndpoint server = keep(server().bindNow(VERIFY));
        UdpConnection c = keep(client(server).connectNow(VERIFY));
        StepVerifier.create(c.send(Mono.just(ByteBuffer.allocate(70_000))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DatagramTooLargeException.class)
                        .hasMessageContaining("70000 bytes").hasMessageContaining("65507"))
                .verify(VERIFY);
        StepVerifier.create(c.send(Mono.just(utf8("still open")))).expectComplete().verify(VERIFY);
    }

    @Test
    public void aSendToAnAddressOfTheOtherFamilyFailsNamingItAndTheSocketSendsOn() {
        UdpEndpoint server = keep(server().bindNow(VERIFY));            // an IPv4 socket
        UdpEndpoint peer = keep(server().bindNow(VERIFY));
        InetSocketAddress v6 = new InetSocketAddress("::1", peer.localAddress().getPort());
        StepVerifier.create(server.send(Mono.just(new io.flowsock.core.Datagram(utf8("lost"), v6))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(io.flowsock.core.DatagramException.class)
                        .hasMessageContaining("[0:0:0:0:0:0:0:1]:" + v6.getPort()))
                .verify(VERIFY);
        StepVerifier.create(server.send(Mono.just(new io.flowsock.core.Datagram(utf8("arrives"), peer.localAddress())))
                .then(peer.inbound().map(d -> text(d.data())).next()))
                .expectNext("arrives").expectComplete().verify(VERIFY);
    }

    @Test
    public void aTruncatedDatagramIsFlaggedAndCounted() {
        UdpEndpoint server = keep(server().maxDatagramSize(100).bindNow(VERIFY));
        UdpConnection c = keep(client(server).connectNow(VERIFY));
        StepVerifier.create(server.inbound().take(2).collectList()
                        .doOnSubscribe(s -> c.send(Flux.just(ByteBuffer.allocate(1000), ByteBuffer.allocate(10)))
                                .subscribe()))
                .assertNext(l -> {
                    assertThat(l.get(0).truncated()).isTrue();
                    assertThat(l.get(0).data().remaining()).isEqualTo(100);
                    assertThat(l.get(1).truncated()).isFalse();
                    assertThat(l.get(1).data().remaining()).isEqualTo(10);
                }).expectComplete().verify(VERIFY);
        assertThat(server.truncated()).isEqualTo(1);
    }

    @Test
    public void portUnreachableOnAConnectedClientIsTyped() throws Exception {
        int closed;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            closed = s.getLocalPort();
        }
        UdpConnection c = keep(UdpClient.create().host("127.0.0.1").port(closed).transport(transport)
                .connectNow(VERIFY));
        StepVerifier.create(c.send(Mono.just(utf8("anyone?"))).thenMany(c.inbound()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(PeerUnreachableException.class)
                        .hasMessageContaining(String.valueOf(closed)))
                .verify(VERIFY);
    }

    @Test
    public void aHandlersCompletionClosesTheSocket() {
        UdpEndpoint server = keep(server().handle(udp -> udp.inbound().take(1).then()).bindNow(VERIFY));
        UdpConnection c = keep(client(server).connectNow(VERIFY));
        c.send(Mono.just(utf8("bye"))).block(VERIFY);
        StepVerifier.create(server.onClose()).expectComplete().verify(VERIFY);
        assertThat(server.isDisposed()).isTrue();
    }

    @Test
    public void disposeCompletesInboundAndFailsPendingSends() {
        UdpEndpoint server = keep(server().bindNow(VERIFY));
        StepVerifier.create(server.inbound()).then(server::dispose).expectComplete().verify(VERIFY);
        StepVerifier.create(server.onClose()).expectComplete().verify(VERIFY);
        StepVerifier.create(server.send(Mono.just(new Datagram(utf8("late"), server.localAddress()))))
                .expectError(io.flowsock.core.ConnectionClosedException.class).verify(VERIFY);
    }

    @Test
    public void sendRequestsAtMostSendCapAhead() {
        UdpEndpoint server = keep(server().bindNow(VERIFY));
        UdpConnection c = keep(client(server).sendCap(4).connectNow(VERIFY));
        reactor.test.publisher.TestPublisher<ByteBuffer> data = reactor.test.publisher.TestPublisher.create();
        StepVerifier.create(c.send(data))
                .then(() -> Loopback.await(() -> c.sendCap().inUse() == 4, VERIFY, "sendcap requested"))
                .then(() -> data.assertMaxRequested(4))
                .then(() -> data.next(utf8("a"), utf8("b")).complete())
                .expectComplete().verify(VERIFY);
        assertThat(c.sendCap()).isEqualTo(new io.flowsock.core.Tunable(4, 0));
    }

    @Test
    public void aCancelledSendEndsItsStreamAndTheNextOneRuns() {
        UdpEndpoint server = echo(server());
        UdpConnection c = keep(client(server).connectNow(VERIFY));
        reactor.test.publisher.TestPublisher<ByteBuffer> data = reactor.test.publisher.TestPublisher.create();
        StepVerifier.create(c.send(data))
                .then(() -> Loopback.await(data::wasRequested, VERIFY, "the data requested on the port"))
                .thenCancel().verify(VERIFY);
        data.assertCancelled();
        StepVerifier.create(c.send(Mono.just(utf8("after"))).then(c.inbound().map(UdpContract::text).next()))
                .expectNext("after").expectComplete().verify(VERIFY);
    }

    @Test
    public void tunablesChangeLive() {
        UdpEndpoint server = keep(server().recvBurst(8).sendCap(2).bindNow(VERIFY));
        server.recvBurst(3);
        server.sendCap(5);
        assertThat(server.recvBurst().cap()).isEqualTo(3);
        assertThat(server.sendCap().cap()).isEqualTo(5);
    }

    @Test
    public void socatGetsItsDatagramEchoed() throws Exception {
        Assumptions.assumeTrue(onPath("socat"), "socat is not on the PATH (Debian package socat)");
        UdpEndpoint server = echo(server());
        Process p = new ProcessBuilder("socat", "-t", "2", "-", "UDP4:127.0.0.1:" + server.localAddress().getPort())
                .redirectErrorStream(true).start();
        p.getOutputStream().write("hello from socat".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        try {
            assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).as("socat ended").isTrue();
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("hello from socat");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    public void aSocketOptionDatagramSocketsDoNotHaveFailsTheBindNamingIt() {
        StepVerifier.create(server().option(java.net.StandardSocketOptions.TCP_NODELAY, true).bind())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("TCP_NODELAY"))
                .verify(VERIFY);
    }

    @Test
    public void broadcastAndTrafficClassOptionsApply() {
        UdpEndpoint server = echo(server().option(java.net.StandardSocketOptions.SO_BROADCAST, true)
                .option(java.net.StandardSocketOptions.IP_TOS, 0x10)
                .option(java.net.StandardSocketOptions.SO_SNDBUF, 1 << 16)
                .option(java.net.StandardSocketOptions.SO_REUSEADDR, true));
        UdpConnection c = keep(client(server).connectNow(VERIFY));
        StepVerifier.create(c.send(Mono.just(utf8("opts"))).then(c.inbound().map(UdpContract::text).next()))
                .expectNext("opts").expectComplete().verify(VERIFY);
    }

    @Test
    public void metricsRecordDatagramsEachWayTruncationsAndDrops() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        UdpEndpoint server = echo(server().metrics(registry));
        UdpConnection c = keep(client(server).metrics(registry).connectNow(VERIFY));
        StepVerifier.create(c.send(Mono.just(utf8("counted"))).then(c.inbound().next()))
                .expectNextCount(1).expectComplete().verify(VERIFY);
        assertThat(registry.get("flowsock.udp.server.datagrams.received").summary().count()).isEqualTo(1);
        assertThat(registry.get("flowsock.udp.server.datagrams.sent").summary().totalAmount()).isEqualTo(7);
        assertThat(registry.get("flowsock.udp.client.datagrams.sent").summary().count()).isEqualTo(1);
        assertThat(registry.get("flowsock.udp.client.datagrams.received").summary().count()).isEqualTo(1);
        assertThat(registry.get("flowsock.udp.server.datagrams.truncated").functionCounter().count()).isZero();
        assertThat(registry.get("flowsock.udp.server.datagrams.dropped").functionCounter().count()).isZero();
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTags()).isEmpty());
    }

    static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
