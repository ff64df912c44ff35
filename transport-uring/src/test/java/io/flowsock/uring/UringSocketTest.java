package io.flowsock.uring;

import static io.flowsock.uring.OnPort.onPort;
import static org.assertj.core.api.Assertions.assertThat;

import io.flowsock.core.Channel;
import io.flowsock.core.ChannelHandler;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.Timer;
import io.flowsock.core.spi.ChannelFactory;
import io.flowsock.core.spi.ReadCompletion;
import io.flowsock.core.spi.WriteCompletion;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A socket's close as the kernel sees it: the memory of its operations is the kernel's until their
 * final completions, and the socket reports its release only after them, with the descriptor closed.
 */
@ExtendWith(UringAvailable.class)
class UringSocketTest {
    private static final long WAIT_MS = 5_000;

    /** Port threads named apart from flowsock's, so the test may look at /proc from a completion. */
    private static UringTransport transport() {
        return new UringTransport(1, r -> {
            Thread th = new Thread(r, "uring-socket-test-port");
            th.setDaemon(true);
            return th;
        }, Timer.system());
    }

    @Test
    void aSocketWithAReceiveArmedIsReleasedAfterItsFinalCompletionWithTheDescriptorClosed() throws Exception {
        try (UringTransport t = transport(); ServerSocket server = listener()) {
            UringPort port = t.ports().get(0);
            UringSocket socket = connected(port, server);
            try (Socket peer = server.accept()) {
                List<String> events = new CopyOnWriteArrayList<>();
                onPort(port, () -> {
                    socket.read(1, true, new Reads(events));   // a multishot receive armed, no data coming
                    return null;
                });
                Path fd = Path.of("/proc/self/fd/" + socket.fd);
                Path open = Files.readSymbolicLink(fd);
                CompletableFuture<String> atRelease = new CompletableFuture<>();
                onPort(port, () -> {
                    socket.whenReleased(() -> {
                        events.add("released");
                        atRelease.complete(Files.exists(fd, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                                ? link(fd) : "closed");
                    });
                    socket.close(false);
                    events.add("close returned");
                    return null;
                });
                assertThat(atRelease.get(WAIT_MS, TimeUnit.MILLISECONDS)).as("the descriptor at release")
                        .isNotEqualTo(open.toString());
                assertThat(events).as("the receive was still armed when close returned")
                        .containsExactly("close returned", "released");
                peer.setSoTimeout((int) WAIT_MS);
                assertThat(peer.getInputStream().read()).as("the peer sees the close").isEqualTo(-1);
            }
        }
    }

    @Test
    void aSendInFlightAtCloseIsAnsweredAtItsFinalCompletionAndOnlyThenIsTheSocketReleased() throws Exception {
        try (UringTransport t = transport(); ServerSocket server = listener()) {
            UringPort port = t.ports().get(0);
            UringSocket socket = connected(port, server);
            try (Socket peer = server.accept()) {            // never reads: the send stalls
                List<String> events = new CopyOnWriteArrayList<>();
                ByteBuffer direct = ByteBuffer.allocateDirect(1 << 20);
                Writes w = null;
                for (int i = 0; i < 200; i++) {
                    Writes attempt = new Writes(events);
                    if (!direct.hasRemaining()) {
                        direct.clear();
                    }
                    onPort(port, () -> {
                        socket.write(new ByteBuffer[] {direct}, 0, 1, attempt);
                        return null;
                    });
                    if (!attempt.answered.await(300, TimeUnit.MILLISECONDS)) {
                        w = attempt;
                        break;
                    }
                }
                assertThat(w).as("a send that stays in flight against a peer that never reads").isNotNull();
                CompletableFuture<Void> released = new CompletableFuture<>();
                onPort(port, () -> {
                    socket.whenReleased(() -> {
                        events.add("released");
                        released.complete(null);
                    });
                    socket.close(false);
                    events.add("close returned");
                    return null;
                });
                released.get(WAIT_MS, TimeUnit.MILLISECONDS);
                assertThat(events).as("the send's buffer is the socket's until its final completion")
                        .containsExactly("close returned", "write failed", "released");
                assertThat(w.error).isInstanceOf(AsynchronousCloseException.class);
            }
        }
    }

    @Test
    void aChannelsOnCloseCompletesOnlyOnceItsDescriptorIsClosed() throws Exception {
        try (UringTransport t = transport(); ServerSocket server = listener()) {
            UringPort port = t.ports().get(0);
            UringSocket socket = connected(port, server);
            try (Socket peer = server.accept()) {
                Channel channel = onPort(port, () -> ChannelFactory.connected(port, socket.addresses(),
                        UringTransport.CAPABILITIES, ChannelOptions.DEFAULTS));
                channel.start(new ChannelHandler() {
                    @Override
                    public void onData(ByteBuffer data) {
                    }

                    @Override
                    public void onEnd() {
                    }

                    @Override
                    public void onError(Throwable error) {
                    }
                });
                channel.request(1);                             // a multishot receive armed, no data coming
                Path fd = Path.of("/proc/self/fd/" + socket.fd);
                Path open = Files.readSymbolicLink(fd);
                CompletableFuture<String> atOnClose = new CompletableFuture<>();
                onPort(port, () -> {
                    channel.onClose().thenRun(() -> atOnClose.complete(
                            Files.exists(fd, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? link(fd) : "closed"));
                    channel.dispose();
                    assertThat(channel.onClose()).as("the receive is still armed as dispose returns").isNotDone();
                    return null;
                });
                assertThat(atOnClose.get(WAIT_MS, TimeUnit.MILLISECONDS)).as("the descriptor when onClose completes")
                        .isNotEqualTo(open.toString());
            }
        }
    }

    private static ServerSocket listener() throws Exception {
        ServerSocket s = new ServerSocket();
        s.setReceiveBufferSize(8192);                   // accepted sockets inherit it: the peer fills fast
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return s;
    }

    private static UringSocket connected(UringPort port, ServerSocket server) throws Exception {
        UringSocket socket = onPort(port, () -> new UringSocket(port, Native.socket(port.errno(), Native.AF_INET)));
        CompletableFuture<Integer> done = new CompletableFuture<>();
        onPort(port, () -> {
            socket.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), done::complete);
            return null;
        });
        assertThat(done.get(WAIT_MS, TimeUnit.MILLISECONDS)).as("connect result").isZero();
        return socket;
    }

    private static String link(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (java.io.IOException e) {
            return "closed";
        }
    }

    private static final class Reads implements ReadCompletion {
        private final List<String> events;

        Reads(List<String> events) {
            this.events = events;
        }

        @Override
        public void completed(ByteBuffer[] buffers, int count, int posted, int bufferSize, long bytes) {
            events.add("read " + bytes);
        }

        @Override
        public void endOfStream() {
            events.add("end of stream");
        }

        @Override
        public void failed(Throwable error) {
            events.add("read failed");
        }
    }

    private static final class Writes implements WriteCompletion {
        final java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
        private final List<String> events;
        volatile Throwable error;                // written on the port thread before the latch opens

        Writes(List<String> events) {
            this.events = events;
        }

        @Override
        public void completed(long bytes) {
            answered.countDown();
        }

        @Override
        public void failed(Throwable e) {
            error = e;
            events.add("write failed");
            answered.countDown();
        }
    }
}
