package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * IPv6 for one backend: addresses on both sides, a wildcard server for both families. Each backend
 * subclasses it and supplies its transport; skipped where this machine has no ::1.
 */
public abstract class Ipv6Contract extends LoopbackFixture {
    private static final Duration VERIFY = Duration.ofSeconds(10);

    @BeforeAll
    static void needsIpv6Loopback() {
        Assumptions.assumeTrue(Loopback.ipv6LoopbackAvailable(), "this machine has no ::1 to bind");
    }

    @Test
    void echoOverIpv6LoopbackWithCorrectAddressesOnBothSides() throws InterruptedException {
        java.util.Queue<Connection> accepted = new java.util.concurrent.ConcurrentLinkedQueue<>();
        DisposableServer server = TcpServer.create().host("::1").port(0).transport(transport).doOnConnection(accepted::add)
                .handle(conn -> conn.send(conn.inbound())).bindNow(VERIFY);
        try {
            assertThat(server.address().getAddress()).isInstanceOf(Inet6Address.class);
            Connection conn = TcpClient.create().host("::1").port(server.port()).transport(transport).connectNow(VERIFY);
            Loopback.await(() -> !accepted.isEmpty(), VERIFY, "accepted");
            Connection peer = accepted.poll();

            assertThat(conn.localAddress().getAddress()).isInstanceOf(Inet6Address.class);
            assertThat(conn.remoteAddress().getAddress().getHostAddress()).isIn("0:0:0:0:0:0:0:1", "::1");
            assertThat(conn.remoteAddress().getPort()).isEqualTo(server.port());
            assertThat(peer.remoteAddress()).isEqualTo(conn.localAddress());
            assertThat(peer.localAddress()).isEqualTo(conn.remoteAddress());

            StepVerifier.create(conn.send(Mono.just(Loopback.utf8("over v6"))).then(conn.shutdownOutput())
                            .thenMany(Strings.decodeUtf8(conn.inbound())).reduce("", String::concat))
                    .expectNext("over v6").expectComplete().verify(VERIFY);
        } finally {
            server.disposeNow(VERIFY);
        }
    }

    @Test
    void aWildcardServerAcceptsBothFamilies() {
        DisposableServer server = TcpServer.create().host("::").port(0).transport(transport)
                .handle(conn -> conn.send(conn.inbound())).bindNow(VERIFY);
        try {
            for (String host : new String[] {"127.0.0.1", "::1"}) {
                Connection conn = TcpClient.create().host(host).port(server.port()).transport(transport)
                        .connectNow(VERIFY);
                StepVerifier.create(conn.send(Mono.just(Loopback.utf8(host))).then(conn.shutdownOutput())
                                .thenMany(Strings.decodeUtf8(conn.inbound())).reduce("", String::concat))
                        .expectNext(host).expectComplete().verify(VERIFY);
            }
        } finally {
            server.disposeNow(VERIFY);
        }
    }
}
