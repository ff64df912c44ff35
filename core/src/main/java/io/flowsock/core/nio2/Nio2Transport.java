package io.flowsock.core.nio2;

import io.flowsock.core.spi.ChannelFactory;
import io.flowsock.core.Capabilities;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Timer;
import io.flowsock.core.internal.BaseTransport;
import io.flowsock.core.internal.ConnectAttempt;
import static io.flowsock.core.internal.NioChannels.applyOptions;
import static io.flowsock.core.internal.NioChannels.closeQuietly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import io.flowsock.core.spi.DatagramIo;
import java.util.function.Consumer;

/**
 * The NIO.2 backend: JDK {@code AsynchronousChannelGroup}s, one single-thread group per port. NIO.2
 * allows one pending accept, read and write per channel and cannot withdraw a read, which the
 * capabilities say; the core maps the tunables onto them.
 */
public final class Nio2Transport extends JdkTransport<Nio2Port> {
    private static final Capabilities CAPABILITIES = new Capabilities(1024, 1024);
    private static final Dialer DIALER = new Dialer();


    /**
     * @param threads the ports' thread factory, or {@code null} for daemon threads named
     *                flowsock-nio2-N-I
     */
    public Nio2Transport(int portCount, ThreadFactory threads, Timer timer) {
        super("nio2", CAPABILITIES, portCount, threads, timer, Nio2Port::new);
    }

    @Override
    protected Listener bind(InetSocketAddress address, ListenOptions options, Consumer<Channel> onAccept) {
        return new Nio2Listener(this, address, options, onAccept);
    }

    @Override
    protected ConnectAttempt.Dialer<Nio2Port, AsynchronousSocketChannel> dialer() {
        return DIALER;
    }

    @Override
    protected Set<SocketOption<?>> socketOptions() throws IOException {
        try (AsynchronousSocketChannel probe = AsynchronousSocketChannel.open(ports().get(0).group)) {
            return probe.supportedOptions();
        }
    }

    @Override
    protected DatagramScratch datagramScratch(Nio2Port port) {
        return port.datagrams;
    }

    /** NIO.2's part of a connect; the channel's completion handler is the dialer itself. */
    private static final class Dialer implements ConnectAttempt.Dialer<Nio2Port, AsynchronousSocketChannel>,
            CompletionHandler<Void, ConnectAttempt<Nio2Port, AsynchronousSocketChannel>> {
        @Override
        public AsynchronousSocketChannel open(Nio2Port port, InetSocketAddress remote, ChannelOptions options)
                throws IOException {
            AsynchronousSocketChannel ch = AsynchronousSocketChannel.open(port.group);
            try {
                applyOptions(ch, options.socketOptions());
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
                throw e;
            }
            return ch;
        }

        @Override
        public void connect(AsynchronousSocketChannel ch, InetSocketAddress remote,
                            ConnectAttempt<Nio2Port, AsynchronousSocketChannel> attempt) {
            ch.connect(remote, attempt, this);
        }

        @Override
        public Channel channel(Nio2Port port, AsynchronousSocketChannel ch, ChannelOptions options) throws IOException {
            return port.adopt(ChannelFactory.connected(port, new Nio2Socket(port, ch), CAPABILITIES, options));
        }

        @Override
        public void close(AsynchronousSocketChannel ch) {
            closeQuietly(ch);
        }

        @Override
        public void completed(Void v, ConnectAttempt<Nio2Port, AsynchronousSocketChannel> attempt) {
            attempt.connected();
        }

        @Override
        public void failed(Throwable e, ConnectAttempt<Nio2Port, AsynchronousSocketChannel> attempt) {
            attempt.failed(e, e instanceof java.net.ConnectException);
        }
    }
}
