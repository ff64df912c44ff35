package io.flowsock.spring.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.ConnectRefusedException;
import io.flowsock.reactive.TcpClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.simp.stomp.StompTcpMessageCodec;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.tcp.FixedIntervalReconnectStrategy;
import org.springframework.messaging.tcp.TcpConnection;
import org.springframework.messaging.tcp.TcpConnectionHandler;

/** Spring's STOMP codec over {@link FlowsockTcpClient}, against a tiny broker on flowsock's TcpServer. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlowsockTcpClientTest {
    private StompBroker broker;
    private FlowsockTcpClient<byte[]> client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.shutdownAsync().get(10, TimeUnit.SECONDS);
        }
        if (broker != null) {
            broker.stop();
        }
    }

    /** Connects through {@link #client} and returns the connection the handler was given. */
    private static TcpConnection<byte[]> open(FlowsockTcpClient<byte[]> client, Recorder handler) throws Exception {
        client.connectAsync(handler).get(10, TimeUnit.SECONDS);
        TcpConnection<byte[]> conn = handler.connected.poll(10, TimeUnit.SECONDS);
        assertThat(conn).as("afterConnected").isNotNull();
        return conn;
    }

    /** CONNECT, answered CONNECTED. */
    private static void greet(TcpConnection<byte[]> conn, Recorder handler) throws Exception {
        conn.sendAsync(connect()).get(10, TimeUnit.SECONDS);
        assertThat(command(handler.next())).isEqualTo(StompCommand.CONNECTED);
    }

    private FlowsockTcpClient<byte[]> client(int port) {
        client = new FlowsockTcpClient<>(TcpClient.create().host("127.0.0.1").port(port), new StompTcpMessageCodec());
        return client;
    }

    @Test
    void connectAndSendAreAnsweredConnectedAndMessage() throws Exception {
        broker = new StompBroker(0, false);
        Recorder handler = new Recorder();
        TcpConnection<byte[]> conn = open(client(broker.port()), handler);
        greet(conn, handler);
        conn.sendAsync(send("/queue/a", "hello, stomp")).get(10, TimeUnit.SECONDS);
        Message<byte[]> m = handler.next();
        StompHeaderAccessor h = StompHeaderAccessor.wrap(m);
        assertThat(h.getCommand()).isEqualTo(StompCommand.MESSAGE);
        assertThat(h.getDestination()).isEqualTo("/queue/a");
        assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo("hello, stomp");
    }

    @Test
    void framesCutIntoSingleBytesAndFramesSharingAReadDecodeTheSame() throws Exception {
        broker = new StompBroker(0, true);
        Recorder handler = new Recorder();
        TcpConnection<byte[]> conn = open(client(broker.port()), handler);
        greet(conn, handler);
        // the broker answers these, one byte a write
        conn.sendAsync(send("/queue/a", "first")).get(10, TimeUnit.SECONDS);
        conn.sendAsync(send("/queue/b", "second ünïcode")).get(10, TimeUnit.SECONDS);
        assertThat(new String(handler.next().getPayload(), StandardCharsets.UTF_8)).isEqualTo("first");
        assertThat(new String(handler.next().getPayload(), StandardCharsets.UTF_8)).isEqualTo("second ünïcode");
    }

    @Test
    void disconnectWithAReceiptEndsWithTheBrokersCloseAndAfterConnectionClosed() throws Exception {
        broker = new StompBroker(0, false);
        Recorder handler = new Recorder();
        TcpConnection<byte[]> conn = open(client(broker.port()), handler);
        StompHeaderAccessor bye = StompHeaderAccessor.create(StompCommand.DISCONNECT);
        bye.setReceipt("r-1");
        conn.sendAsync(MessageBuilder.createMessage(new byte[0], bye.getMessageHeaders())).get(10, TimeUnit.SECONDS);
        StompHeaderAccessor receipt = StompHeaderAccessor.wrap(handler.next());
        assertThat(receipt.getCommand()).isEqualTo(StompCommand.RECEIPT);
        assertThat(receipt.getReceiptId()).isEqualTo("r-1");
        assertThat(handler.closed.await(10, TimeUnit.SECONDS)).as("afterConnectionClosed").isTrue();
        assertThat(handler.failures).isEmpty();
        // sending on a closed connection fails the future
        assertThatThrownBy(() -> conn.sendAsync(connect()).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }

    @Test
    void aFrameLargerThanTheLimitIsAFailureAndClosesTheConnection() throws Exception {
        broker = new StompBroker(0, false);
        Recorder handler = new Recorder();
        client = new FlowsockTcpClient<>(TcpClient.create().host("127.0.0.1").port(broker.port()),
                new StompTcpMessageCodec(), 16 * 1024);
        client.connectAsync(handler).get(10, TimeUnit.SECONDS);
        TcpConnection<byte[]> conn = handler.connected.poll(10, TimeUnit.SECONDS);
        // comes back as a MESSAGE; flowsock reads at most 64 KiB at once, so it arrives cut and
        // more than the limit is held before it is whole
        conn.sendAsync(send("/queue/a", "x".repeat(256 * 1024))).get(10, TimeUnit.SECONDS);
        assertThat(handler.failures.poll(10, TimeUnit.SECONDS)).isInstanceOf(FrameTooLargeException.class)
                .hasMessageContaining("at most 16384 are held");
        assertThat(handler.messages).isEmpty();
        assertThat(handler.closed.getCount()).as("a failure is not a close").isEqualTo(1);
        assertThatThrownBy(() -> conn.sendAsync(connect()).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }

    @Test
    void aRefusedConnectFailsTheFutureAndTellsTheHandler() throws Exception {
        Recorder handler = new Recorder();
        assertThatThrownBy(() -> client(closedPort()).connectAsync(handler).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ConnectRefusedException.class);
        assertThat(handler.connectFailures.poll(10, TimeUnit.SECONDS)).isInstanceOf(ConnectRefusedException.class);
        assertThat(handler.connected).isEmpty();
    }

    @Test
    void theClientReconnectsAfterTheBrokerRestartsAndStopsAtShutdown() throws Exception {
        broker = new StompBroker(0, false);
        int port = broker.port();
        Recorder handler = new Recorder();
        client(port).connectAsync(handler, new FixedIntervalReconnectStrategy(100)).get(10, TimeUnit.SECONDS);
        TcpConnection<byte[]> first = handler.connected.poll(10, TimeUnit.SECONDS);
        greet(first, handler);

        broker.stop();
        assertThat(handler.closed.await(10, TimeUnit.SECONDS)).as("afterConnectionClosed").isTrue();
        // attempts go on while nothing listens, each one reported
        assertThat(handler.connectFailures.poll(10, TimeUnit.SECONDS)).isInstanceOf(ConnectRefusedException.class);

        broker = new StompBroker(port, false);
        TcpConnection<byte[]> second = handler.connected.poll(10, TimeUnit.SECONDS);
        assertThat(second).isNotNull().isNotSameAs(first);
        greet(second, handler);

        client.shutdownAsync().get(10, TimeUnit.SECONDS);
        assertThat(handler.closed2.await(10, TimeUnit.SECONDS)).as("the second connection closed at shutdown").isTrue();
        Recorder late = new Recorder();
        assertThatThrownBy(() -> client.connectAsync(late).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(late.connectFailures.poll()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void inactivityTasksRunWhenADirectionIsIdle() throws Exception {
        broker = new StompBroker(0, false);
        Recorder handler = new Recorder();
        TcpConnection<byte[]> conn = open(client(broker.port()), handler);
        CountDownLatch readIdle = new CountDownLatch(2);
        CountDownLatch writeIdle = new CountDownLatch(2);
        conn.onReadInactivity(readIdle::countDown, 50);
        conn.onWriteInactivity(writeIdle::countDown, 50);
        // each fires again for every further period without activity, as Netty's idle events do
        assertThat(readIdle.await(10, TimeUnit.SECONDS)).as("read inactivity, twice").isTrue();
        assertThat(writeIdle.await(10, TimeUnit.SECONDS)).as("write inactivity, twice").isTrue();
        assertThatThrownBy(() -> conn.onReadInactivity(() -> { }, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0");
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> new FlowsockTcpClient<>(TcpClient.create(), new StompTcpMessageCodec(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxFrameLength must be >= 1, was 0");
        assertThatThrownBy(() -> new FlowsockTcpClient<byte[]>(TcpClient.create(), null))
                .isInstanceOf(NullPointerException.class).hasMessage("codec");
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Message<byte[]> connect() {
        StompHeaderAccessor h = StompHeaderAccessor.create(StompCommand.CONNECT);
        h.setAcceptVersion("1.2");
        h.setHost("127.0.0.1");
        return MessageBuilder.createMessage(new byte[0], h.getMessageHeaders());
    }

    private static Message<byte[]> send(String destination, String text) {
        StompHeaderAccessor h = StompHeaderAccessor.create(StompCommand.SEND);
        h.setDestination(destination);
        h.setContentType(org.springframework.util.MimeTypeUtils.TEXT_PLAIN);
        return MessageBuilder.createMessage(text.getBytes(StandardCharsets.UTF_8), h.getMessageHeaders());
    }

    private static StompCommand command(Message<byte[]> m) {
        return StompHeaderAccessor.wrap(m).getCommand();
    }

    /** What the client told the handler, in queues the test polls with a bound. */
    static final class Recorder implements TcpConnectionHandler<byte[]> {
        final BlockingQueue<TcpConnection<byte[]>> connected = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> connectFailures = new LinkedBlockingQueue<>();
        final BlockingQueue<Message<byte[]>> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);
        final CountDownLatch closed2 = new CountDownLatch(2);

        @Override
        public void afterConnected(TcpConnection<byte[]> connection) {
            connected.add(connection);
        }

        @Override
        public void afterConnectFailure(Throwable ex) {
            connectFailures.add(ex);
        }

        @Override
        public void handleMessage(Message<byte[]> message) {
            if (StompHeaderAccessor.wrap(message).getCommand() != null) {   // heart-beats aside
                messages.add(message);
            }
        }

        @Override
        public void handleFailure(Throwable ex) {
            failures.add(ex);
        }

        @Override
        public void afterConnectionClosed() {
            closed.countDown();
            closed2.countDown();
        }

        Message<byte[]> next() throws InterruptedException {
            Message<byte[]> m = messages.poll(10, TimeUnit.SECONDS);
            assertThat(m).as("a message within 10 s").isNotNull();
            return m;
        }
    }
}
