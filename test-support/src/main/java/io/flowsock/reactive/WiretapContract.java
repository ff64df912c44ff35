package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Channel;
import io.flowsock.core.ChannelHandler;
import io.flowsock.core.ChannelObserver;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Tls;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.util.TestLogger;
import reactor.util.Loggers;

/**
 * The wiretap over real loopback sockets for one backend: what a connection does reaches the log
 * as it happens, each line naming the connection and both addresses, with the bytes as asked;
 * and the level is honoured.
 */
public abstract class WiretapContract extends LoopbackFixture {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern LINE = Pattern.compile("\\[([0-9a-f]{8}), L:/127\\.0\\.0\\.1:(\\d+) - R:/127\\.0\\.0\\.1:(\\d+)] (.*)");
    private static final TestCertificates CA = TestCertificates.newCa("flowsock wiretap CA");

    /** {@code settings} with a wiretap logging to {@code log}: the logger is looked up when the wiretap is made. */
    static <T extends TcpSettings<T>> T tapped(T settings, TestLogger log, Level level, WiretapFormat format) {
        Loggers.useCustomLoggers(name -> log);
        try {
            return settings.wiretap("flowsock.test.wiretap", level, format);
        } finally {
            Loggers.useJdkLoggers();   // what the other tests use (LeakGuard sets it)
        }
    }

    /** The event part of each wiretap line of {@code log} about the connection on local port {@code port}. */
    private static List<String> events(TestLogger log, int port) {
        return Arrays.stream(log.getOutContent().split("\\R"))
                .map(LINE::matcher).filter(Matcher::find)
                .filter(m -> Integer.parseInt(m.group(2)) == port)
                .map(m -> m.group(4)).toList();
    }

    @Test
    public void aServersWiretapLogsAnEchoedExchangeWithItsBytesAsAHexDump() {
        TestLogger log = new TestLogger(false);
        DisposableServer server = bind(tapped(server(), log, Level.FINE, WiretapFormat.HEX_DUMP)
                .handle(conn -> conn.send(conn.inbound())));
        Connection c = client(server).connectNow(WAIT);
        c.send(Flux.just(Loopback.utf8("hello, wiretap"))).then(c.shutdownOutput()).subscribe();
        StepVerifier.create(collect(c.inbound())).assertNext(b -> assertThat(new String(b, StandardCharsets.UTF_8))
                .isEqualTo("hello, wiretap")).expectComplete().verify(WAIT);
        c.dispose();
        await(() -> log.getOutContent().contains("CLOSED"), WAIT, "the server's connection logged as closed");

        String out = log.getOutContent();
        Matcher first = LINE.matcher(out);
        assertThat(first.find()).as("a wiretap line in:%n%s", out).isTrue();
        assertThat(first.group(4)).isEqualTo("ACCEPTED");
        String id = first.group(1);
        assertThat(Integer.parseInt(first.group(2))).isEqualTo(server.port());
        assertThat(out.lines().filter(l -> LINE.matcher(l).find()))
                .as("every line names the one connection").allMatch(l -> l.contains("[" + id + ", "));
        List<String> events = events(log, server.port());
        assertThat(events).as("events in order").containsSubsequence(
                "ACCEPTED", "READ posted for 1 buffer (recvburst cap 16)", "READ 14 B in 1 buffer",
                "WRITE posted 14 B in 1 buffer", "WRITE completed 14 B", "SHUTDOWN OUTPUT (FIN sent)", "CLOSED");
        // the peer's FIN may be read while the echo is still being written
        assertThat(events).containsSubsequence("READ 14 B in 1 buffer", "READ end of stream (the peer's FIN)",
                "SHUTDOWN OUTPUT (FIN sent)");
        assertThat(out).as("the read's bytes as a hex dump")
                .contains("00000000  68 65 6c 6c 6f 2c 20 77  69 72 65 74 61 70        |hello, wiretap|");
    }

    @Test
    public void aClientsWiretapLogsItsConnectAndTheTextItSends() {
        TestLogger log = new TestLogger(false);
        DisposableServer server = bind(server().handle(conn -> conn.send(conn.inbound())));
        Connection c = tapped(client(server), log, Level.INFO, WiretapFormat.TEXT).connectNow(WAIT);
        c.sendCap(3);
        c.send(Flux.just(Loopback.utf8("line one\n"))).then(c.shutdownOutput()).subscribe();
        StepVerifier.create(collect(c.inbound())).expectNextCount(1).expectComplete().verify(WAIT);
        c.dispose();
        await(() -> log.getOutContent().contains("CLOSED"), WAIT, "the client's connection logged as closed");
        int local = c.localAddress().getPort();
        assertThat(events(log, local)).containsSubsequence("CONNECTED", "SENDCAP cap 3", "WRITE posted 9 B in 1 buffer",
                "SHUTDOWN OUTPUT (FIN sent)", "READ end of stream (the peer's FIN)", "CLOSED");
        assertThat(log.getOutContent()).as("INFO goes to the info level").contains("[ INFO]")
                .contains("WRITE posted 9 B in 1 buffer" + System.lineSeparator() + "line one");
    }

    @Test
    public void theHandshakeStepsAndTheNegotiatedSessionAreLoggedUnderTls() {
        TestLogger log = new TestLogger(false);
        DisposableServer server = bind(tapped(server(), log, Level.FINE, WiretapFormat.EVENTS)
                .secure(Tls.server(CA.context(CA.leaf("localhost"))))
                .handle(conn -> conn.send(conn.inbound())));
        Connection c = client(server).secure(Tls.client(CA.trusting()).withServerName("localhost")).connectNow(WAIT);
        c.send(Flux.just(Loopback.utf8("secret"))).then(c.shutdownOutput()).subscribe();
        StepVerifier.create(collect(c.inbound())).expectNextCount(1).expectComplete().verify(WAIT);
        c.dispose();
        await(() -> log.getOutContent().contains("CLOSED"), WAIT, "the server's connection logged as closed");
        List<String> events = events(log, server.port());
        assertThat(events).containsSubsequence("ACCEPTED", "TLS handshake started", "READ 6 B in 1 buffer",
                "WRITE posted 6 B in 1 buffer", "CLOSED");
        assertThat(events).anySatisfy(e -> assertThat(e).matches("TLS handshake done in [0-9.]+ ms: TLSv1\\.3 TLS_\\w+"));
        assertThat(log.getOutContent()).as("EVENTS logs no content").doesNotContain("secret");
    }

    @Test
    public void anObserverThatThrowsClosesItsConnectionAndTheListenerServesTheNext() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        ChannelObserver throwing = new ChannelObserver() {
            @Override
            public void readCompleted(Channel ch, long bytes, ByteBuffer[] b, int n) {
                if (reads.incrementAndGet() == 1) {
                    throw new IllegalStateException("observer bug");
                }
            }
        };
        Queue<Channel> channels = new ConcurrentLinkedQueue<>();
        Listener l = transport.listen(new InetSocketAddress("127.0.0.1", 0),
                ListenOptions.DEFAULTS.withChild(ChannelOptions.DEFAULTS.withObserver(throwing)),
                ch -> {
                    channels.add(ch);
                    ch.start(new ChannelHandler() {
                        @Override
                        public void onData(ByteBuffer data) {
                            ch.request(1);
                        }

                        @Override
                        public void onEnd() {
                        }

                        @Override
                        public void onError(Throwable error) {
                        }

                        @Override
                        public void onClosed() {
                        }
                    });
                    ch.request(1);
                });
        try {
            for (int i = 0; i < 2; i++) {
                try (Socket s = Loopback.rawClient(l.address().getPort())) {
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
                    if (i == 0) {
                        int r;
                        try {
                            r = s.getInputStream().read();
                        } catch (SocketException reset) {
                            r = -1;
                        }
                        assertThat(r).as("the connection whose observer threw is closed").isEqualTo(-1);
                    } else {
                        await(() -> reads.get() >= 2, WAIT, "the next connection read");
                        assertThat(channels).hasSize(2);
                        assertThat(channels.toArray(Channel[]::new)[1].isOpen()).isTrue();
                    }
                }
            }
            assertThat(channels.peek().onClose()).succeedsWithin(WAIT);
        } finally {
            l.close();
            l.onClose().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    public void aLevelTheLoggerDoesNotTakeLogsNothing() {
        TestLogger log = new TestLogger(false) {
            @Override
            public boolean isTraceEnabled() {
                return false;
            }
        };
        DisposableServer server = bind(tapped(server(), log, Level.FINEST, WiretapFormat.HEX_DUMP)
                .handle(conn -> conn.send(conn.inbound())));
        Connection c = client(server).connectNow(WAIT);
        c.send(Flux.just(Loopback.utf8("quiet"))).then(c.shutdownOutput()).subscribe();
        StepVerifier.create(collect(c.inbound())).expectNextCount(1).expectComplete().verify(WAIT);
        c.dispose();
        assertThat(log.getOutContent().lines().filter(l -> LINE.matcher(l).find())).as("wiretap lines").isEmpty();
    }
}
