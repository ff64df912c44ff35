package io.flowsock.core.nio2;

import io.flowsock.core.CompletionPort;
import io.flowsock.core.internal.NioChannels;
import io.flowsock.core.spi.DatagramIo;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JDK transport's datagram sockets (nio2 and selector): non-blocking {@code DatagramChannel}s
 * that their port thread receives on and sends on itself, told of readiness by one
 * {@link DatagramSelector} thread per transport, which also reads the kernel's drop counts.
 *
 * <p><b>Threading.</b> {@link #open} runs on the socket's port thread; {@link #close} on the
 * transport's closing thread.
 */
public final class JdkDatagrams {
    private static final AtomicInteger SELECTORS = new AtomicInteger();

    private final String backend;
    // Created by the first datagram socket (on its port thread), again after one retired with its last
    // socket, closed by close(): the CAS makes racing sockets agree on one, and close reads it.
    private final AtomicReference<DatagramSelector> selector = new AtomicReference<>();
    private volatile boolean closed;          // set once by close(); a selector created after is closed at once

    /** @param backend the transport's name, for errors */
    public JdkDatagrams(String backend) {
        this.backend = backend;
    }

    /**
     * Opens a socket bound to {@code local}, connected to {@code remote} unless it is {@code null},
     * receiving into {@code scratch}, the port's datagram memory.
     *
     * @throws IllegalArgumentException naming an option the platform's datagram sockets do not support
     */
    public DatagramIo open(CompletionPort port, DatagramScratch scratch, InetSocketAddress local,
                           InetSocketAddress remote, Map<SocketOption<?>, Object> socketOptions) throws IOException {
        boolean v6 = local.getAddress() instanceof Inet6Address;
        DatagramChannel ch = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            for (SocketOption<?> option : socketOptions.keySet()) {
                if (!ch.supportedOptions().contains(option)) {
                    throw new IllegalArgumentException("socket option " + option.name() + " is not supported by the "
                            + backend + " backend's datagram sockets on this platform; supported: "
                            + ch.supportedOptions());
                }
            }
            NioChannels.applyOptions(ch, socketOptions);
            ch.configureBlocking(false);
            ch.bind(local);
            if (remote != null) {
                ch.connect(remote);
            }
            for (;;) {
                DatagramSelector s = selector();
                if (s.enter()) {
                    try {
                        return new Nio2Datagram(port, scratch, s, ch);
                    } catch (IOException | RuntimeException e) {
                        s.leave();
                        throw e;
                    }
                }
                selector.compareAndSet(s, null);    // it retired with its last socket: make another
            }
        } catch (IOException | RuntimeException e) {
            NioChannels.closeQuietly(ch);
            throw e;
        }
    }

    private DatagramSelector selector() {
        DatagramSelector s = selector.get();
        if (s == null) {
            DatagramSelector fresh = new DatagramSelector("flowsock-udp-selector-" + SELECTORS.incrementAndGet());
            s = selector.compareAndExchange(null, fresh);
            if (s == null) {
                s = fresh;
                if (closed) {
                    s.close();
                }
            } else {
                fresh.close();
            }
        }
        return s;
    }

    /** Ends the selector thread, once the transport's ports have closed every socket. */
    public void close() {
        closed = true;
        DatagramSelector s = selector.get();
        if (s != null) {
            s.close();
            s.awaitEnd();
        }
    }
}
