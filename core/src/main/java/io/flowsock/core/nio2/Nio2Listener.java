package io.flowsock.core.nio2;

import io.flowsock.core.spi.ChannelFactory;
import io.flowsock.core.Channel;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.internal.BaseListener;
import io.flowsock.core.internal.ReusePortBinder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A server on NIO.2. NIO.2 allows one pending accept per server channel and puts accepted channels
 * in the server channel's group, so flowsock binds one server channel per port with SO_REUSEPORT
 * (where the platform has it, see {@link ReusePortBinder}) and each port keeps its own accept
 * posted, re-posted first thing in every accept completion.
 */
final class Nio2Listener extends BaseListener {
    private static final AcceptDone ACCEPT_DONE = new AcceptDone();
    private static final Sockets SOCKETS = new Sockets();

    private final Nio2Transport transport;

    Nio2Listener(Nio2Transport transport, InetSocketAddress requested, ListenOptions options,
                 Consumer<Channel> onAccept) {
        this(transport, ReusePortBinder.bind(transport.ports(), transport.reusePortAvailable(), requested, options,
                SOCKETS), options, onAccept);
    }

    private Nio2Listener(Nio2Transport transport,
                         ReusePortBinder.Bound<Nio2Port, AsynchronousServerSocketChannel> bound,
                         ListenOptions options, Consumer<Channel> onAccept) {
        super(bound.address(), options, onAccept);
        this.transport = transport;
        startAccepting(bound.sockets(), (port, ch) -> new Slot(this, port, ch));
    }

    private void accepted(Slot s, AsynchronousSocketChannel ch) {
        armed(-1);
        if (closing()) {
            Nio2Transport.closeQuietly(ch);   // completed as the listener closed: nobody will serve it
            s.finished();
            return;
        }
        s.start();                            // re-post first: the next connection never waits for this one
        Channel channel;
        try {
            Nio2Transport.applyOptions(ch, options.child().socketOptions());
            channel = s.port.adopt(ChannelFactory.accepted(s.port, new Nio2Socket(s.port, ch), transport.capabilities(),
                    options.child(), watchdogClosed::increment));
        } catch (IOException | RuntimeException e) {
            dropped(e);
            Nio2Transport.closeQuietly(ch);
            return;
        }
        handOver(channel);
    }

    private void failed(Slot s, Throwable e) {
        armed(-1);
        if (closing() || e instanceof AsynchronousCloseException || !s.ch.isOpen()) {
            s.finished();
            return;
        }
        acceptFailed(e.toString());
        s.port.schedule(s::start, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** One port's server channel, with its one accept posted. */
    private static final class Slot extends BaseListener.Slot<Nio2Port> {
        final Nio2Listener listener;
        final AsynchronousServerSocketChannel ch;

        Slot(Nio2Listener listener, Nio2Port port, AsynchronousServerSocketChannel ch) {
            super(listener, port);
            this.listener = listener;
            this.ch = ch;
        }

        /** Posts the accept. */
        @Override
        protected void start() {
            if (listener.closing()) {
                finished();
                return;
            }
            listener.armed(1);
            try {
                ch.accept(this, ACCEPT_DONE);
            } catch (RuntimeException e) {   // closed meanwhile
                listener.armed(-1);
                finished();
            }
        }

        /** Closes the channel: the pending accept completes with AsynchronousCloseException. */
        @Override
        protected void stop() {
            Nio2Transport.closeQuietly(ch);
        }

        @Override
        protected void release() {
            Nio2Transport.closeQuietly(ch);
        }
    }

    private static final class AcceptDone implements CompletionHandler<AsynchronousSocketChannel, Slot> {
        @Override
        public void completed(AsynchronousSocketChannel ch, Slot s) {
            s.listener.accepted(s, ch);
        }

        @Override
        public void failed(Throwable e, Slot s) {
            s.listener.failed(s, e);
        }
    }

    /** NIO.2's listening sockets, for the bind loop. */
    private static final class Sockets implements ReusePortBinder.Sockets<Nio2Port, AsynchronousServerSocketChannel> {
        @Override
        public void probe(InetSocketAddress address) throws IOException {
            try (ServerSocketChannel probe = ServerSocketChannel.open()) {
                probe.bind(address, 1);
            }
        }

        @Override
        public AsynchronousServerSocketChannel open(Nio2Port port, InetSocketAddress address) throws IOException {
            return AsynchronousServerSocketChannel.open(port.group);
        }

        @Override
        public InetSocketAddress bind(AsynchronousServerSocketChannel ch, InetSocketAddress address, boolean reusePort,
                                      int backlog) throws IOException {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (reusePort) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            ch.bind(address, backlog);
            return (InetSocketAddress) ch.getLocalAddress();
        }

        @Override
        public void close(AsynchronousServerSocketChannel ch) {
            Nio2Transport.closeQuietly(ch);
        }
    }
}
