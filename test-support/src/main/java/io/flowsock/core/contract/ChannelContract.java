package io.flowsock.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.BindException;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelHandler;
import io.flowsock.core.ChannelObserver;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Send;
import io.flowsock.core.SendSource;
import io.flowsock.core.Transport;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The core's callback API, without Reactor, over real loopback sockets, for one backend. Each
 * backend subclasses it and supplies its transport; a backend that cannot run here is skipped with
 * the reason in the subclass.
 */
public abstract class ChannelContract {
    private Transport transport;

    /** The backend under test, created fresh for each test and closed after it. */
    protected abstract Transport newTransport();

    @BeforeEach
    void open() {
        transport = newTransport();
    }

    @AfterEach
    void close() {
        transport.close();
    }

    /** Echo with flow control: the send's credit becomes the read demand. */
    private static void echo(Channel channel) {
        echo(channel, false, true);
    }

    /**
     * Echo as above. With {@code loans} the handler takes the port's buffers on loan; with
     * {@code offer} false it answers with its own copy of each and lets the loan go.
     */
    private static void echo(Channel channel, boolean loans, boolean offer) {
        Send echo = channel.send(new SendSource() {
            @Override
            public void request(long n) {
                channel.request(n);
            }

            @Override
            public void cancel() {
            }

            @Override
            public void onSent() {
                channel.close();
            }

            @Override
            public void onFailed(Throwable error) {
            }
        });
        channel.start(new ChannelHandler() {
            @Override
            public void onData(ByteBuffer data) {
                if (offer) {
                    echo.offer(data);
                } else {
                    ByteBuffer own = ByteBuffer.allocate(data.remaining());
                    echo.offer(own.put(data).flip());
                }
            }

            @Override
            public boolean takesLoans() {
                return loans;
            }

            @Override
            public void onEnd() {
                echo.complete();
            }

            @Override
            public void onError(Throwable error) {
                echo.fail(error);
            }
        });
    }

    @Test
    void echoThroughTheCallbackApiReturnsEveryByte() throws Exception {
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), ListenOptions.DEFAULTS,
                ChannelContract::echo);
        byte[] data = new byte[4 << 20];
        new Random(7).nextBytes(data);
        assertThat(roundTrip(listener.address().getPort(), data)).isEqualTo(data);
        assertThat(listener.accepted()).isEqualTo(1);
        listener.close();
        listener.onClose().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aHandlerEchoingItsLoansReturnsEveryByteOnEveryConnectionOfASharedPort() throws Exception {
        echoesOnSharedPorts(true, true);
    }

    @Test
    void loansLetGoAfterOnDataNeverReachAnotherConnection() throws Exception {
        echoesOnSharedPorts(true, false);
    }

    /** Four connections echo 4 MiB each at once through the same ports and receive memory. */
    private void echoesOnSharedPorts(boolean loans, boolean offer) throws Exception {
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), ListenOptions.DEFAULTS,
                c -> echo(c, loans, offer));
        java.util.List<byte[]> sent = new java.util.ArrayList<>();
        java.util.List<CompletableFuture<byte[]>> back = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] data = new byte[4 << 20];
            new Random(11 + i).nextBytes(data);
            sent.add(data);
            back.add(CompletableFuture.supplyAsync(() -> roundTrip(listener.address().getPort(), data)));
        }
        for (int i = 0; i < 4; i++) {
            assertThat(back.get(i).get(30, TimeUnit.SECONDS)).as("connection %d", i).isEqualTo(sent.get(i));
        }
        listener.close();
    }

    private static byte[] roundTrip(int port, byte[] data) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.getInputStream().readAllBytes();
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            s.getOutputStream().write(data);
            s.shutdownOutput();
            return read.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aClientChannelReadsOnlyWhatItRequested() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Channel> connecting = transport.connect(
                    new InetSocketAddress("127.0.0.1", server.getLocalPort()), ChannelOptions.DEFAULTS,
                    Duration.ofSeconds(5));
            try (Socket peer = server.accept()) {
                Channel channel = connecting.get(5, TimeUnit.SECONDS);
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                CompletableFuture<Void> ended = new CompletableFuture<>();
                channel.start(new ChannelHandler() {
                    @Override
                    public void onData(ByteBuffer data) {
                        got.write(data.array(), data.position(), data.remaining());
                    }

                    @Override
                    public void onEnd() {
                        ended.complete(null);
                    }

                    @Override
                    public void onError(Throwable error) {
                        ended.completeExceptionally(error);
                    }
                });
                peer.getOutputStream().write("first".getBytes());
                Thread.sleep(200);
                assertThat(got.size()).as("nothing read without demand").isZero();
                channel.request(1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (got.size() < 5 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(got.toString()).isEqualTo("first");
                peer.shutdownOutput();
                channel.request(1);
                ended.get(5, TimeUnit.SECONDS);
                channel.dispose();
                channel.onClose().get(5, TimeUnit.SECONDS);
                assertThat(channel.isOpen()).isFalse();
            }
        }
    }

    @Test
    void buffersASourceOffersInsideItsRequestGoOutInOneWrite() throws Exception {
        int sendCap = 8;
        int total = 40;
        java.util.List<Integer> gathered = new java.util.concurrent.CopyOnWriteArrayList<>();
        ChannelOptions options = ChannelOptions.DEFAULTS.withSendCap(sendCap).withObserver(new ChannelObserver() {
            @Override
            public void writePosted(Channel channel, ByteBuffer[] buffers, int offset, int length) {
                gathered.add(length);
            }
        });
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Channel channel = transport.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), options,
                    Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
            try (Socket peer = server.accept()) {
                CompletableFuture<Void> sent = new CompletableFuture<>();
                channel.send(new SendSource() {
                    private Send send;
                    private int offered;

                    @Override
                    public void onStart(Send s) {
                        send = s;
                    }

                    @Override
                    public void request(long n) {
                        // a synchronous publisher: every buffer asked for, inside the call
                        for (long i = 0; i < n && offered < total; i++) {
                            send.offer(ByteBuffer.wrap(new byte[] {(byte) offered++}));
                        }
                        if (offered == total) {
                            send.complete();
                        }
                    }

                    @Override
                    public void cancel() {
                    }

                    @Override
                    public void onSent() {
                        sent.complete(null);
                    }

                    @Override
                    public void onFailed(Throwable error) {
                        sent.completeExceptionally(error);
                    }
                });
                byte[] got = peer.getInputStream().readNBytes(total);
                sent.get(5, TimeUnit.SECONDS);
                for (int i = 0; i < total; i++) {
                    assertThat(got[i]).as("byte %d", i).isEqualTo((byte) i);
                }
                assertThat(gathered.get(0)).as("the first write gathers all %d buffers of the first request, "
                        + "writes %s", sendCap, gathered).isEqualTo(sendCap);
                assertThat(gathered.size()).as("writes %s", gathered).isLessThanOrEqualTo(total / sendCap + 1);
            } finally {
                channel.dispose();
                channel.onClose().get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void requestRefusesANonPositiveDemand() throws Exception {
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), ListenOptions.DEFAULTS, c -> { });
        CompletableFuture<Channel> c = transport.connect(listener.address(), ChannelOptions.DEFAULTS,
                Duration.ofSeconds(5));
        Channel channel = c.get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> channel.request(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n must be >= 1, was 0");
        assertThatThrownBy(() -> channel.sendCap(0)).hasMessage("sendCap must be >= 1, was 0");
        channel.dispose();
        listener.close();
    }

    @Test
    void listenOnATakenPortFailsNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            assertThatThrownBy(() -> transport.listen(address, ListenOptions.DEFAULTS, c -> { }))
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
                    .satisfies(e -> assertThat(((BindException) e).address()).isEqualTo(address));
        }
    }

    @Test
    void aClosedTransportRefusesNewWork() {
        Transport t = newTransport();
        t.close();
        assertThatThrownBy(() -> t.listen(new InetSocketAddress(0), ListenOptions.DEFAULTS, c -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessage("transport " + t.name() + " is closed");
    }
}
