package io.flowsock.core.nio2;

import io.flowsock.core.internal.NioChannels;
import io.flowsock.core.spi.ChannelFactory;
import io.flowsock.core.Channel;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.internal.BaseListener;
import io.flowsock.core.internal.ReusePortBinder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A server on NIO.2. NIO.2 allows one pending accept per server channel and puts accepted channels
 * in the server channel's group, so flowsock binds one server channel per port with SO_REUSEPORT
 * (where the platform has it, see {@link ReusePortBinder}). Each port takes every connection
 * queued on its channel in one go and sets them up in turns of its own (see
 * {@link BaseListener.Slot} and {@link Slot} for why).
 */
final class Nio2Listener extends BaseListener {
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

    private void setUp(Slot s, AsynchronousSocketChannel ch) {
        Channel channel;
        try {
            NioChannels.applyOptions(ch, options.child().socketOptions());
            channel = s.port.adopt(ChannelFactory.accepted(s.port, new Nio2Socket(s.port, ch), transport.capabilities(),
                    options.child(), onWatchdog));
        } catch (IOException | RuntimeException e) {
            dropped(e);
            NioChannels.closeQuietly(ch);
            return;
        }
        handOver(channel);
    }

    /**
     * One port's server channel, drained on the port with NIO.2's {@code accept()} future.
     *
     * <p>Why the future: NIO.2 hands each connection that an accept with a completion handler
     * finds queued to the port as a task of its own, one per look at the port's completions and
     * behind every other completion and task of the port, so a port accepted no faster than it
     * looked, and in a storm the kernel's queue overflowed. The future instead accepts a queued
     * connection in the call and returns it done, so {@link #drain} takes every queued connection
     * in one go, at the cost of the accepts alone. It drains when it starts, after every setup
     * turn, and when a connection comes to an empty queue: then the future is pending, and NIO.2
     * completes it on the port without telling anyone, so the slot's waiter thread waits for it
     * and asks the port to drain. The waiter is no port thread: it touches no socket, runs no
     * completion and no user code, and blocks only in that wait.
     */
    private static final class Slot extends BaseListener.Slot<Nio2Port, AsynchronousSocketChannel> {
        final Nio2Listener listener;
        final AsynchronousServerSocketChannel ch;
        /** The accepts that came back pending: the port adds, the waiter polls. */
        private final ConcurrentLinkedQueue<Future<AsynchronousSocketChannel>> toWaitFor = new ConcurrentLinkedQueue<>();
        /** Set once by release() on the port; the waiter reads it to end. */
        private volatile boolean released;
        private Future<AsynchronousSocketChannel> pending;   // port thread only: the accept NIO.2 holds
        private Thread waiter;                               // port thread only: started once by start()

        Slot(Nio2Listener listener, Nio2Port port, AsynchronousServerSocketChannel ch) {
            super(listener, port);
            this.listener = listener;
            this.ch = ch;
        }

        /** Starts the waiter and takes what is queued already. */
        @Override
        protected void start() {
            if (listener.closing()) {
                finished();
                return;
            }
            waiter = new Thread(this::waitForAccepts, "flowsock-accept-" + port + "-" + listener.address().getPort());
            waiter.setDaemon(true);
            waiter.start();
            drain();
        }

        /**
         * Takes every connection queued in the kernel, up to the backlog's worth waiting for setup,
         * and leaves one accept pending for the next connection; does nothing while one is pending.
         */
        private void drain() {
            if (pending != null) {
                if (!pending.isDone()) {
                    return;                          // the waiter calls again once it is
                }
                Future<AsynchronousSocketChannel> done = pending;
                pending = null;
                if (!take(done)) {
                    return;
                }
            }
            while (!listener.closing() && mayAccept()) {
                Future<AsynchronousSocketChannel> f;
                listener.armed(1);
                try {
                    f = ch.accept();
                } catch (RuntimeException e) {       // closed meanwhile
                    listener.armed(-1);
                    finished();
                    return;
                }
                if (!f.isDone()) {
                    pending = f;
                    toWaitFor.add(f);
                    LockSupport.unpark(waiter);
                    return;
                }
                if (!take(f)) {
                    return;
                }
            }
            if (listener.closing()) {
                finished();
            }
        }

        /** Queues what a done accept returned for setup; false when the slot must stop draining for now. */
        private boolean take(Future<AsynchronousSocketChannel> done) {
            listener.armed(-1);
            AsynchronousSocketChannel accepted;
            try {
                accepted = done.get();               // done: returns at once
            } catch (ExecutionException | CancellationException | InterruptedException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (listener.closing() || cause instanceof AsynchronousCloseException || !ch.isOpen()) {
                    finished();
                } else {
                    listener.acceptFailed(cause.toString());   // out of descriptors, say
                    port.schedule(this::drain, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                }
                return false;
            }
            if (listener.closing()) {
                NioChannels.closeQuietly(accepted);  // accepted as the listener closed: nobody will serve it
                finished();
                return false;
            }
            accepted(accepted);
            return true;
        }

        /** The waiter thread: waits for each pending accept, then has the port drain. */
        private void waitForAccepts() {
            while (!released) {
                Future<AsynchronousSocketChannel> f = toWaitFor.poll();
                if (f == null) {
                    LockSupport.park(this);
                    continue;
                }
                try {
                    f.get();
                } catch (ExecutionException | CancellationException e) {
                    // drain() reads the outcome on the port
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    port.execute(this::drain);
                } catch (RejectedExecutionException portGone) {
                    finished();                      // nothing runs on the port any more: finish here
                    return;
                }
            }
        }

        /** Closes the channel, which fails a pending accept at once, and finishes the slot. */
        @Override
        protected void stop() {
            NioChannels.closeQuietly(ch);
            drain();                                 // takes the failed accept, or none; finishes either way
        }

        @Override
        protected void release() {
            NioChannels.closeQuietly(ch);
            released = true;
            LockSupport.unpark(waiter);
        }

        /** A task of the port: NIO.2 runs one between two looks at its completions. */
        @Override
        protected void nextTurn(Runnable turn) {
            port.execute(turn);
        }

        @Override
        protected void setUp(AsynchronousSocketChannel accepted) {
            listener.setUp(this, accepted);
        }

        @Override
        protected void discard(AsynchronousSocketChannel accepted) {
            NioChannels.closeQuietly(accepted);
        }

        /** Before and after each setup turn: take what came meanwhile. */
        @Override
        protected void resume() {
            drain();
        }
    }

    /** NIO.2's listening sockets, for the bind loop. */
    private static final class Sockets implements ReusePortBinder.Sockets<Nio2Port, AsynchronousServerSocketChannel> {
        @Override
        public void probe(InetSocketAddress address) throws IOException {
            NioChannels.probeBind(address);
        }

        @Override
        public AsynchronousServerSocketChannel open(Nio2Port port, InetSocketAddress address) throws IOException {
            return AsynchronousServerSocketChannel.open(port.group);
        }

        @Override
        public InetSocketAddress bind(AsynchronousServerSocketChannel ch, InetSocketAddress address, boolean reusePort,
                                      int backlog) throws IOException {
            NioChannels.beforeBind(ch, reusePort);
            ch.bind(address, backlog);
            return (InetSocketAddress) ch.getLocalAddress();
        }

        @Override
        public void close(AsynchronousServerSocketChannel ch) {
            NioChannels.closeQuietly(ch);
        }
    }
}
