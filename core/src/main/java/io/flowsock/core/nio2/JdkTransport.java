package io.flowsock.core.nio2;

import io.flowsock.core.Capabilities;
import io.flowsock.core.Timer;
import io.flowsock.core.internal.BackendPort;
import io.flowsock.core.internal.BaseTransport;
import io.flowsock.core.spi.DatagramIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

/**
 * What the two backends on JDK channels share (nio2, and selector): the socket options their TCP
 * sockets support, asked of the JDK once, and datagram sockets ({@link JdkDatagrams}).
 *
 * <p><b>Threading.</b> As {@link BaseTransport}.
 *
 * @param <P> the backend's port
 */
public abstract class JdkTransport<P extends BackendPort> extends BaseTransport<P> {
    private final JdkDatagrams datagrams;
    private volatile Set<SocketOption<?>> supported;   // computed once on first use; racing computations agree

    protected JdkTransport(String name, Capabilities capabilities, int portCount, ThreadFactory threads, Timer timer,
                           PortFactory<P> factory) {
        super(name, capabilities, portCount, threads, timer, factory);
        datagrams = new JdkDatagrams(name);
    }

    /** The options a TCP socket of this backend supports here, asked of a socket opened for it. */
    protected abstract Set<SocketOption<?>> socketOptions() throws IOException;

    /** The port's datagram memory, which its datagram sockets receive into. */
    protected abstract DatagramScratch datagramScratch(P port);

    @Override
    protected final DatagramIo openDatagram(P port, InetSocketAddress local, InetSocketAddress remote,
                                            Map<SocketOption<?>, Object> socketOptions) throws IOException {
        return datagrams.open(port, datagramScratch(port), local, remote, socketOptions);
    }

    @Override
    protected final void stopped() {
        datagrams.close();
    }

    @Override
    protected final void checkOptions(Map<SocketOption<?>, Object> socketOptions) {
        Set<SocketOption<?>> supported = supportedOptions();
        for (SocketOption<?> option : socketOptions.keySet()) {
            if (!supported.contains(option)) {
                throw new IllegalArgumentException("socket option " + option.name() + " is not supported by the "
                        + name() + " backend's TCP sockets on this platform; supported: " + supported);
            }
        }
    }

    /** Whether this platform has SO_REUSEPORT, which one listener per port needs. Asked once. */
    public final boolean reusePortAvailable() {
        return supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
    }

    private Set<SocketOption<?>> supportedOptions() {
        Set<SocketOption<?>> s = supported;
        if (s == null) {
            try {
                s = Set.copyOf(socketOptions());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open a socket to list its options", e);
            }
            supported = s;
        }
        return s;
    }
}
