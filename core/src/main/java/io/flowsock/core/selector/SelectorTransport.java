package io.flowsock.core.selector;

import io.flowsock.core.Capabilities;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Timer;
import io.flowsock.core.internal.BaseTransport;
import io.flowsock.core.internal.ConnectAttempt;
import io.flowsock.core.internal.NioChannels;
import io.flowsock.core.nio2.DatagramScratch;
import io.flowsock.core.nio2.JdkTransport;
import io.flowsock.core.spi.ChannelFactory;
import io.flowsock.core.spi.DatagramIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * The selector backend: a completion port of flowsock's own on each JDK {@link java.nio.channels.Selector}
 * (epoll on Linux, kqueue on macOS), one thread per port. The core posts reads, writes and accepts
 * exactly as on NIO.2; the port performs each when its socket is ready and completes it on its thread.
 * It exists because NIO.2 on Linux re-arms a one-shot epoll registration for every read, which costs
 * about twice the kernel time per request of a level-triggered registration kept across reads.
 */
public final class SelectorTransport extends JdkTransport<SelectorPort> {
    /** One accept interest and one read and write per socket, as on NIO.2; the core maps the tunables onto them. */
    private static final Capabilities CAPABILITIES = new Capabilities(1024, 1024);
    private static final Dialer DIALER = new Dialer();


    /**
     * @param threads the ports' thread factory, or {@code null} for daemon threads named
     *                flowsock-selector-N-I
     */
    public SelectorTransport(int portCount, ThreadFactory threads, Timer timer) {
        super("selector", CAPABILITIES, portCount, threads, timer, SelectorPort::new);
    }

    @Override
    protected Listener bind(InetSocketAddress address, ListenOptions options, Consumer<Channel> onAccept) {
        return new SelectorListener(this, address, options, onAccept);
    }

    @Override
    protected ConnectAttempt.Dialer<SelectorPort, Dialing> dialer() {
        return DIALER;
    }

    /** The JDK's options but SO_LINGER: a lingering close of a non-blocking socket blocks in close(2), on the port. */
    @Override
    protected Set<SocketOption<?>> socketOptions() throws IOException {
        try (SocketChannel probe = SocketChannel.open()) {
            Set<SocketOption<?>> all = new HashSet<>(probe.supportedOptions());
            all.remove(StandardSocketOptions.SO_LINGER);   // an abortive close sets SO_LINGER 0 itself
            return all;
        }
    }

    @Override
    protected DatagramScratch datagramScratch(SelectorPort port) {
        return port.datagrams;
    }

    /** A socket being connected: registered with its port, told when the connect has an outcome. */
    static final class Dialing implements SelectorPort.Ready {
        final SocketChannel ch;
        SelectionKey key;
        ConnectAttempt<SelectorPort, Dialing> attempt;

        Dialing(SocketChannel ch) {
            this.ch = ch;
        }

        @Override
        public void ready(int readyOps) {
            finish();                 // channel() or close() takes the interest off
        }

        void finish() {
            boolean connected;
            try {
                connected = ch.finishConnect();
            } catch (IOException | RuntimeException e) {
                attempt.failed(e, e instanceof java.net.ConnectException);
                return;
            }
            if (connected) {
                attempt.connected();
            } else {
                key.interestOps(SelectionKey.OP_CONNECT);   // a readiness that was not the outcome yet
            }
        }
    }

    /** The selector backend's part of a connect. Port thread. */
    private static final class Dialer implements ConnectAttempt.Dialer<SelectorPort, Dialing> {
        @Override
        public Dialing open(SelectorPort port, InetSocketAddress remote, ChannelOptions options) throws IOException {
            SocketChannel ch = SocketChannel.open(remote.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            Dialing d = new Dialing(ch);
            try {
                NioChannels.applyOptions(ch, options.socketOptions());
                d.key = port.register(ch, d);
            } catch (IOException | RuntimeException e) {
                NioChannels.closeQuietly(ch);
                throw e;
            }
            return d;
        }

        @Override
        public void connect(Dialing d, InetSocketAddress remote, ConnectAttempt<SelectorPort, Dialing> attempt) {
            d.attempt = attempt;
            boolean done;
            try {
                done = d.ch.connect(remote);
            } catch (IOException e) {
                attempt.failed(e, e instanceof java.net.ConnectException);
                return;
            }
            if (done) {
                attempt.connected();
            } else {
                d.key.interestOps(SelectionKey.OP_CONNECT);
            }
        }

        @Override
        public Channel channel(SelectorPort port, Dialing d, ChannelOptions options) throws IOException {
            d.key.interestOps(0);
            return port.channels().adopt(ChannelFactory.connected(port,
                    new SelectorSocket(port, d.ch, d.key, false), CAPABILITIES, options));
        }

        @Override
        public void close(Dialing d) {
            d.key.cancel();
            NioChannels.closeQuietly(d.ch);
        }
    }
}
