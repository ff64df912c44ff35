package io.flowsock.uring;

import io.flowsock.core.spi.ChannelFactory;
import io.flowsock.core.spi.DatagramIo;
import io.flowsock.core.Capabilities;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Timer;
import io.flowsock.core.internal.BaseTransport;
import io.flowsock.core.internal.ConnectAttempt;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * The io_uring backend: one ring per completion port thread. Accepts are multishot, receives pick
 * their buffers from a per-port provided-buffer ring, sends gather up to 64 buffers; a posted
 * receive can be withdrawn without losing the connection.
 */
final class UringTransport extends BaseTransport<UringPort> {
    static final Capabilities CAPABILITIES = new Capabilities(64, WriteBlock.MAX_IOV);
    private static final Dialer DIALER = new Dialer();

    /**
     * @param threads the ports' thread factory, or {@code null} for daemon threads named
     *                flowsock-uring-N-I
     * @throws UnsupportedOperationException naming the reason when a ring cannot be set up
     */
    UringTransport(int portCount, ThreadFactory threads, Timer timer) {
        super("uring", CAPABILITIES, portCount, threads, timer, UringPort::new);
    }

    @Override
    protected void checkOptions(Map<SocketOption<?>, Object> socketOptions) {
        SocketOptions.check(socketOptions);
    }

    @Override
    protected Listener bind(InetSocketAddress address, ListenOptions options, Consumer<Channel> onAccept) {
        return new UringListener(this, address, options, onAccept);
    }

    @Override
    protected DatagramIo openDatagram(UringPort port, InetSocketAddress local, InetSocketAddress remote,
                                      Map<SocketOption<?>, Object> socketOptions) throws IOException {
        return UringDatagram.open(port, local, remote, socketOptions);
    }

    @Override
    protected ConnectAttempt.Dialer<UringPort, UringSocket> dialer() {
        return DIALER;
    }

    /** io_uring's part of a connect. */
    private static final class Dialer implements ConnectAttempt.Dialer<UringPort, UringSocket> {
        @Override
        public UringSocket open(UringPort port, InetSocketAddress remote, ChannelOptions options) throws IOException {
            UringSocket socket = null;
            try {
                socket = new UringSocket(port, Native.socket(port.errno(), SockAddr.family(remote)));
                SocketOptions.apply(port.errno(), port.scratch(), socket.fd, options.socketOptions());
                return socket;
            } catch (RuntimeException e) {
                if (socket != null) {
                    socket.close(false);
                }
                if (e instanceof Errno.Failure f) {
                    throw f.asIoException("connect");
                }
                throw e;
            }
        }

        @Override
        public void connect(UringSocket socket, InetSocketAddress remote,
                            ConnectAttempt<UringPort, UringSocket> attempt) {
            socket.connect(remote, res -> {
                if (res < 0) {
                    attempt.failed(Errno.exception("connect", -res), res == -Errno.ECONNREFUSED);
                } else {
                    attempt.connected();
                }
            });
        }

        @Override
        public Channel channel(UringPort port, UringSocket socket, ChannelOptions options) {
            return port.adopt(ChannelFactory.connected(port, socket.addresses(), CAPABILITIES, options));
        }

        @Override
        public void close(UringSocket socket) {
            socket.close(false);
        }
    }
}
