package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.ConnectRefusedException;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The metrics over real loopback sockets for one backend, read back from a
 * {@link SimpleMeterRegistry}: what the connections did is what the meters say, and no meter is
 * tagged with an address.
 */
public abstract class MetricsContract extends LoopbackFixture {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static double count(MeterRegistry r, String name, String... tags) {
        Meter m = r.find(name).tags(tags).meter();
        assertThat(m).as("meter %s %s", name, java.util.Arrays.toString(tags)).isNotNull();
        return m.measure().iterator().next().getValue();
    }

    @Test
    public void anEchoIsRecordedOnBothSidesWithoutAddressTags() {
        MeterRegistry registry = new SimpleMeterRegistry();
        DisposableServer server = bind(server().metrics(registry).handle(conn -> conn.send(conn.inbound())));
        byte[] data = Loopback.randomBytes(200_000, 7);
        Connection c = client(server).metrics(registry).connectNow(WAIT);
        await(() -> registry.get("flowsock.tcp.server.connections.active").gauge().value() == 1, WAIT,
                "the server's gauge counting the open connection");
        c.send(chunks(data, 8192)).then(c.shutdownOutput()).subscribe();
        StepVerifier.create(collect(c.inbound())).assertNext(b -> assertThat(b).isEqualTo(data))
                .expectComplete().verify(WAIT);
        c.dispose();
        await(() -> registry.get("flowsock.tcp.server.connections.active").gauge().value() == 0
                && registry.get("flowsock.tcp.client.connections.active").gauge().value() == 0, WAIT,
                "both connections counted as closed");

        assertThat(count(registry, "flowsock.tcp.server.connections.opened")).isEqualTo(1);
        assertThat(count(registry, "flowsock.tcp.client.connections.opened")).isEqualTo(1);
        assertThat(registry.get("flowsock.tcp.server.connections.closed").counters().stream()
                .mapToDouble(x -> x.count()).sum()).isEqualTo(1);
        assertThat(registry.get("flowsock.tcp.server.data.received").summary().totalAmount()).isEqualTo(data.length);
        assertThat(registry.get("flowsock.tcp.server.data.sent").summary().totalAmount()).isEqualTo(data.length);
        assertThat(registry.get("flowsock.tcp.client.data.sent").summary().totalAmount()).isEqualTo(data.length);
        assertThat(registry.get("flowsock.tcp.client.data.received").summary().totalAmount()).isEqualTo(data.length);
        assertThat(registry.get("flowsock.tcp.server.recvburst.in.use").summary().count()).isPositive();
        assertThat(registry.get("flowsock.tcp.server.recvburst.in.use").summary().max()).isBetween(1.0, 16.0);
        assertThat(registry.get("flowsock.tcp.server.sendcap.in.use").summary().max()).isBetween(1.0, 16.0);
        assertThat(registry.get("flowsock.tcp.server.backlog.in.use").summary().count()).isEqualTo(1);
        assertThat(registry.find("flowsock.tcp.client.backlog.in.use").meter()).as("a client has no backlog").isNull();
        assertThat(registry.getMeters()).allSatisfy(m -> m.getId().getTags().forEach(t ->
                assertThat(t.getValue()).as("tag %s of %s", t, m.getId().getName()).doesNotContain("127.0.0.1")
                        .doesNotContain(String.valueOf(server.port()))));
    }

    @Test
    public void aRefusedConnectAndAWatchdogCloseAreCountedByType() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        DisposableServer server = bind(server().metrics(registry).readIdleTimeout(Duration.ofMillis(200))
                .handle(conn -> conn.send(conn.inbound())));
        try (Socket silent = Loopback.rawClient(server.port())) {
            await(() -> registry.find("flowsock.tcp.server.watchdog.closes").tag("timeout", "readIdleTimeout")
                    .counter() != null, WAIT, "the silent peer closed by the watchdog");
            await(() -> registry.get("flowsock.tcp.server.connections.active").gauge().value() == 0, WAIT,
                    "the closed connection counted");
            // the error is recorded as the connection ends, not necessarily before the gauge drops
            await(() -> registry.find("flowsock.tcp.server.errors").tag("type", "IdleTimeoutException").counter() != null,
                    WAIT, "the watchdog's error counted");
        }
        assertThat(count(registry, "flowsock.tcp.server.watchdog.closes", "timeout", "readIdleTimeout")).isEqualTo(1);
        assertThat(count(registry, "flowsock.tcp.server.connections.closed", "outcome", "error")).isEqualTo(1);
        assertThat(count(registry, "flowsock.tcp.server.errors", "type", "IdleTimeoutException")).isEqualTo(1);

        TcpClient refused = TcpClient.create().host("127.0.0.1").port(Loopback.closedPort()).transport(transport)
                .metrics(registry);
        StepVerifier.create(refused.connect()).expectError(ConnectRefusedException.class).verify(WAIT);
        assertThat(count(registry, "flowsock.tcp.client.errors", "type", "ConnectRefusedException")).isEqualTo(1);
        assertThat(count(registry, "flowsock.tcp.client.connections.opened")).isZero();
    }

    @Test
    public void metricsOffInstallsNoObserver() {
        MeterRegistry registry = new SimpleMeterRegistry();
        TcpServer on = server().metrics(registry);
        assertThat(on.channelOptions().observer()).isNotNull();
        assertThat(on.metrics(false).channelOptions().observer()).isNull();
        assertThat(TcpServer.create().channelOptions().observer()).isNull();
    }
}
