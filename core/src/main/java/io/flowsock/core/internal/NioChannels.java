package io.flowsock.core.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.Map;

/** What the JDK backends (nio2, selector) do alike to a JDK channel. */
public final class NioChannels {
    private NioChannels() {
    }

    /** Applies socket options that the transport's option check accepted. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void applyOptions(NetworkChannel ch, Map<SocketOption<?>, Object> socketOptions) throws IOException {
        for (Map.Entry<SocketOption<?>, Object> e : socketOptions.entrySet()) {
            ch.setOption((SocketOption) e.getKey(), e.getValue());
        }
    }

    /** Binds a throwaway listening socket to {@code address}: whether it can be bound at all. */
    public static void probeBind(InetSocketAddress address) throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(address, 1);
        }
    }

    /** Sets what every listening socket of a JDK backend has before its bind: SO_REUSEADDR, and SO_REUSEPORT if asked. */
    public static void beforeBind(NetworkChannel listening, boolean reusePort) throws IOException {
        listening.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        if (reusePort) {
            listening.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
    }

    /** Closes {@code ch}; a failing close(2) leaves nothing to recover, so it is not reported. */
    public static void closeQuietly(Channel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
