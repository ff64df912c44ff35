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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.NetworkChannel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import io.flowsock.core.spi.DatagramIo;
import java.net.Inet6Address;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.function.Consumer;

/**
 * The NIO.2 backend: JDK {@code AsynchronousChannelGroup}s, one single-thread group per port. NIO.2
 * allows one pending accept, read and write per channel and cannot withdraw a read, which the
 * capabilities say; the core maps the tunables onto them.
 */
public final class Nio2Transport extends BaseTransport<Nio2Port> {
    private static final Capabilities CAPABILITIES = new Capabilities(1024, 1024);
    private static final Dialer DIALER = new Dialer();
    private static final java.util.concurrent.atomic.AtomicInteger SELECTORS = new java.util.concurrent.atomic.AtomicInteger();

    private volatile Set<SocketOption<?>> supported;   // computed once on first use; racing computations agree
    // Created by the first datagram socket (on its port thread), again after one retired with its last
    // socket, closed by stopped(): the CAS makes racing sockets agree on one, and close reads it.
    private final AtomicReference<DatagramSelector> selector = new AtomicReference<>();
    private volatile boolean selectorClosed;          // set once by stopped(); a selector created after is closed at once

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
    protected DatagramIo openDatagram(Nio2Port port, InetSocketAddress local, InetSocketAddress remote,
                                      Map<SocketOption<?>, Object> socketOptions) throws IOException {
        boolean v6 = local.getAddress() instanceof Inet6Address;
        DatagramChannel ch = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            for (SocketOption<?> option : socketOptions.keySet()) {
                if (!ch.supportedOptions().contains(option)) {
                    throw new IllegalArgumentException("socket option " + option.name() + " is not supported by the "
                            + name() + " backend's datagram sockets on this platform; supported: "
                            + ch.supportedOptions());
                }
            }
            applyOptions(ch, socketOptions);
            ch.configureBlocking(false);
            ch.bind(local);
            if (remote != null) {
                ch.connect(remote);
            }
            for (;;) {
                DatagramSelector s = datagramSelector();
                if (s.enter()) {
                    try {
                        return new Nio2Datagram(port, s, ch);
                    } catch (IOException | RuntimeException e) {
                        s.leave();
                        throw e;
                    }
                }
                selector.compareAndSet(s, null);    // it retired with its last socket: make another
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private DatagramSelector datagramSelector() {
        DatagramSelector s = selector.get();
        if (s == null) {
            DatagramSelector fresh = new DatagramSelector("flowsock-udp-selector-" + SELECTORS.incrementAndGet());
            s = selector.compareAndExchange(null, fresh);
            if (s == null) {
                s = fresh;
                if (selectorClosed) {
                    s.close();
                }
            } else {
                fresh.close();
            }
        }
        return s;
    }

    @Override
    protected void stopped() {
        selectorClosed = true;
        DatagramSelector s = selector.get();
        if (s != null) {
            s.close();
            s.awaitEnd();
        }
    }

    /** Applies socket options that {@link #checkOptions} accepted. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void applyOptions(NetworkChannel ch, Map<SocketOption<?>, Object> socketOptions) throws IOException {
        for (Map.Entry<SocketOption<?>, Object> e : socketOptions.entrySet()) {
            ch.setOption((SocketOption) e.getKey(), e.getValue());
        }
    }

    @Override
    protected void checkOptions(Map<SocketOption<?>, Object> socketOptions) {
        Set<SocketOption<?>> supported = supportedOptions();
        for (SocketOption<?> option : socketOptions.keySet()) {
            if (!supported.contains(option)) {
                throw new IllegalArgumentException("socket option " + option.name() + " is not supported by the "
                        + name() + " backend's TCP sockets on this platform; supported: " + supported);
            }
        }
    }

    /** Whether this platform has SO_REUSEPORT, which one listener per port needs. Asked once. */
    boolean reusePortAvailable() {
        return supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
    }

    private Set<SocketOption<?>> supportedOptions() {
        Set<SocketOption<?>> s = supported;
        if (s == null) {
            try (AsynchronousSocketChannel probe = AsynchronousSocketChannel.open(ports().get(0).group)) {
                s = Set.copyOf(probe.supportedOptions());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a socket to list its options", e);
            }
            supported = s;
        }
        return s;
    }

    static void closeQuietly(java.nio.channels.Channel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
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
