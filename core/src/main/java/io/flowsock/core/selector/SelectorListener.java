package io.flowsock.core.selector;

import io.flowsock.core.Channel;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.internal.BaseListener;
import io.flowsock.core.internal.NioChannels;
import io.flowsock.core.internal.ReusePortBinder;
import io.flowsock.core.spi.ChannelFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A server on the selector backend: one listening socket per port with SO_REUSEPORT where the
 * platform has it (see {@link ReusePortBinder}), each registered with its port's selector. When
 * the socket is ready the slot takes every connection queued in the kernel at once, up to the
 * backlog's worth waiting for setup, and the setups run in turns of their own
 * ({@link BaseListener.Slot}), so accepting never waits behind them.
 */
final class SelectorListener extends BaseListener {
    private static final Sockets SOCKETS = new Sockets();
    /** The most accepts one readiness of a listening socket takes. */
    private static final int MAX_BATCH = 1024;

    private final SelectorTransport transport;

    SelectorListener(SelectorTransport transport, InetSocketAddress requested, ListenOptions options,
                     Consumer<Channel> onAccept) {
        this(transport, ReusePortBinder.bind(transport.ports(), transport.reusePortAvailable(), requested, options,
                SOCKETS), options, onAccept);
    }

    private SelectorListener(SelectorTransport transport,
                             ReusePortBinder.Bound<SelectorPort, ServerSocketChannel> bound,
                             ListenOptions options, Consumer<Channel> onAccept) {
        super(bound.address(), options, onAccept);
        this.transport = transport;
        startAccepting(bound.sockets(), (port, ch) -> new Slot(this, port, ch));
    }

    private void setUp(Slot s, SocketChannel ch) {
        Channel channel;
        try {
            NioChannels.applyOptions(ch, options.child().socketOptions());
            SelectionKey key = s.port.register(ch, null);
            // a client usually sends as soon as it is connected: the first read is tried at once
            channel = s.port.channels().adopt(ChannelFactory.accepted(s.port,
                    new SelectorSocket(s.port, ch, key, true), transport.capabilities(), options.child(), onWatchdog));
        } catch (IOException | RuntimeException e) {
            dropped(e);
            NioChannels.closeQuietly(ch);
            return;
        }
        handOver(channel);
    }

    /** One port's listening socket. Port thread. */
    private static final class Slot extends BaseListener.Slot<SelectorPort, SocketChannel>
            implements SelectorPort.Ready {
        final SelectorListener listener;
        final ServerSocketChannel ch;
        private SelectionKey key;
        private boolean armed;        // interest in accepts is registered (backlog().inUse counts it)
        private int acceptBatch = 1;  // accepts per readiness; see drain()
        private boolean backingOff;   // an accept failed: a drain is scheduled, none runs before it

        Slot(SelectorListener listener, SelectorPort port, ServerSocketChannel ch) {
            super(listener, port);
            this.listener = listener;
            this.ch = ch;
        }

        @Override
        protected void start() {
            if (listener.closing()) {
                finished();
                return;
            }
            try {
                key = port.register(ch, this);
            } catch (IOException | RuntimeException e) {
                listener.acceptFailed("cannot register the listening socket with " + port + ": " + e);
                finished();
                return;
            }
            drain();
        }

        @Override
        public void ready(int readyOps) {
            drain();
        }

        private void retry() {
            backingOff = false;
            drain();
        }

        /**
         * Takes the queued connections, up to the backlog's worth waiting, and waits for more.
         * Each readiness takes at most {@code acceptBatch}: the count that emptied the queue last
         * time, doubled when a batch ends before the queue does. Under a trickle that is one or
         * two accepts per connection (1.35 per hello exchange in a profile, against 1.52 when each
         * readiness drained the queue until an accept found it empty); in a storm the batch grows
         * to the backlog within a few readinesses, and the level-triggered selector reports the
         * socket ready again at once while connections remain.
         */
        private void drain() {
            int limit = acceptBatch;
            int taken = 0;
            while (!listener.closing() && mayAccept()) {
                if (taken == limit) {
                    acceptBatch = Math.min(limit * 2, MAX_BATCH);
                    arm(true);
                    return;
                }
                SocketChannel accepted;
                try {
                    accepted = ch.accept();
                } catch (IOException | RuntimeException e) {
                    if (listener.closing() || !ch.isOpen()) {
                        break;
                    }
                    listener.acceptFailed(e.toString());   // out of descriptors, say
                    arm(false);
                    backingOff = true;
                    port.schedule(this::retry, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                    return;
                }
                if (accepted == null) {
                    acceptBatch = Math.max(1, taken);
                    arm(true);
                    return;
                }
                taken++;
                if (listener.closing()) {
                    NioChannels.closeQuietly(accepted);   // accepted as the listener closed: nobody will serve it
                    break;
                }
                if (!accepted(accepted)) {
                    break;
                }
            }
            if (listener.closing()) {
                finished();
            } else {
                arm(false);            // the backlog's worth waits for setup: resume() takes up again
            }
        }

        private void arm(boolean on) {
            if (on != armed && key != null && key.isValid()) {
                armed = on;
                key.interestOps(on ? SelectionKey.OP_ACCEPT : 0);
                listener.armed(on ? 1 : -1);
            }
        }

        @Override
        protected void stop() {
            NioChannels.closeQuietly(ch);
            finished();
        }

        @Override
        protected void release() {
            if (armed) {
                armed = false;
                listener.armed(-1);
            }
            if (key != null) {
                key.cancel();
            }
            NioChannels.closeQuietly(ch);
        }

        @Override
        protected void nextTurn(Runnable turn) {
            port.execute(turn);
        }

        @Override
        protected void setUp(SocketChannel accepted) {
            listener.setUp(this, accepted);
        }

        @Override
        protected void discard(SocketChannel accepted) {
            NioChannels.closeQuietly(accepted);
        }

        /** After a setup turn: only a slot that stopped for the backlog takes up again; an armed one hears the selector. */
        @Override
        protected void resume() {
            if (!armed && !backingOff) {
                drain();
            }
        }
    }

    /** The selector backend's listening sockets, for the bind loop. */
    private static final class Sockets implements ReusePortBinder.Sockets<SelectorPort, ServerSocketChannel> {
        @Override
        public void probe(InetSocketAddress address) throws IOException {
            NioChannels.probeBind(address);
        }

        @Override
        public ServerSocketChannel open(SelectorPort port, InetSocketAddress address) throws IOException {
            return ServerSocketChannel.open();
        }

        @Override
        public InetSocketAddress bind(ServerSocketChannel ch, InetSocketAddress address, boolean reusePort,
                                      int backlog) throws IOException {
            NioChannels.beforeBind(ch, reusePort);
            ch.bind(address, backlog);
            return (InetSocketAddress) ch.getLocalAddress();
        }

        @Override
        public void close(ServerSocketChannel ch) {
            NioChannels.closeQuietly(ch);
        }
    }
}
