package io.flowsock.core.nio2;

import io.flowsock.core.internal.Checks;
import io.flowsock.core.BindException;
import io.flowsock.core.Channel;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Tunable;
import io.flowsock.core.spi.ChannelFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A server on NIO.2. NIO.2 allows one pending accept per server channel and puts accepted channels
 * in the server channel's group, so flowsock binds one server channel per port with SO_REUSEPORT
 * (where the platform has it): the kernel spreads connections over the ports and each port keeps
 * its own accept posted, re-posted first thing in every accept completion. Where SO_REUSEPORT is
 * missing, one server channel on the first port takes every connection.
 */
final class Nio2Listener implements Listener {
    private static final System.Logger LOG = System.getLogger(Nio2Listener.class.getName());
    private static final AcceptDone ACCEPT_DONE = new AcceptDone();

    private final Nio2Transport transport;
    private final ListenOptions options;
    private final Consumer<Channel> onAccept;
    private final List<Slot> slots = new ArrayList<>();
    private final InetSocketAddress address;
    private final AtomicInteger posted = new AtomicInteger();   // accepts posted right now, all ports
    private final LongAdder accepted = new LongAdder();
    private final LongAdder watchdogClosed = new LongAdder();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile int backlogCap;
    private volatile boolean closing;

    Nio2Listener(Nio2Transport transport, InetSocketAddress requested, ListenOptions options,
                 Consumer<Channel> onAccept) {
        this.transport = transport;
        this.options = options;
        this.onAccept = onAccept;
        this.backlogCap = options.backlog();
        List<Nio2Port> ports = transport.ports();
        boolean spread = ports.size() > 1 && transport.reusePortAvailable();
        try {
            if (spread && !options.reusePort() && requested.getPort() != 0) {
                probe(requested);   // SO_REUSEPORT would silently share a port that is taken: refuse it
            }
            InetSocketAddress bindTo = requested;
            List<Nio2Port> listening = spread ? ports : ports.subList(0, 1);
            // Every listener asks the kernel for the whole backlog. The kernel hashes each connection to
            // one listener and never moves it, unevenly: with the backlog split between them, a storm
            // overflows one listener's share while the server holds far fewer than backlog, and
            // connections that overflow wait for a retransmission or, once SYN cookies answer, are lost.
            for (Nio2Port port : listening) {
                AsynchronousServerSocketChannel ch = AsynchronousServerSocketChannel.open(port.group);
                slots.add(new Slot(this, port, ch));
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                if (spread || options.reusePort()) {
                    ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                ch.bind(bindTo, options.backlog());
                bindTo = (InetSocketAddress) ch.getLocalAddress();
            }
            address = bindTo;
        } catch (IOException | RuntimeException e) {
            for (Slot s : slots) {
                closeQuietly(s.ch);
            }
            throw new BindException(requested, e);
        }
        open.set(slots.size());
        for (Slot s : slots) {
            s.port.execute(() -> post(s));
        }
    }

    private static void probe(InetSocketAddress address) throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(address, 1);
        }
    }

    /** Posts the slot's accept. Port thread. */
    private void post(Slot s) {
        if (closing) {
            slotClosed(s);
            return;
        }
        posted.incrementAndGet();
        try {
            s.ch.accept(s, ACCEPT_DONE);
        } catch (RuntimeException e) {   // closed meanwhile
            posted.decrementAndGet();
            slotClosed(s);
        }
    }

    /** A slot will post no more accepts; the last one completes {@link #onClose()}. Port thread. */
    private void slotClosed(Slot s) {
        if (!s.done) {
            s.done = true;
            if (open.decrementAndGet() == 0) {
                closed.complete(null);
            }
        }
    }

    private void accepted(Slot s, AsynchronousSocketChannel ch) {
        posted.decrementAndGet();
        if (closing) {
            closeQuietly(ch);             // completed as the listener closed: nobody will serve it
            slotClosed(s);
            return;
        }
        post(s);                          // re-post first: the next connection never waits for this one
        Channel channel;
        try {
            transport.applyOptions(ch, options.child().socketOptions());
            channel = s.port.adopt(ChannelFactory.accepted(s.port, new Nio2Socket(s.port, ch), transport.capabilities(),
                    options.child(), watchdogClosed::increment));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: dropping an accepted connection on " + address + ": " + e, e);
            closeQuietly(ch);
            return;
        }
        accepted.increment();
        try {
            onAccept.accept(channel);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: accept callback failed for " + channel + "; closing it", e);
            channel.abort(e);
        }
    }

    private void failed(Slot s, Throwable e) {
        posted.decrementAndGet();
        if (closing || e instanceof AsynchronousCloseException || !s.ch.isOpen()) {
            slotClosed(s);
            return;
        }
        // Out of descriptors or similar: log, and retry shortly rather than spin on the error.
        LOG.log(System.Logger.Level.WARNING, "flowsock: accept failed on " + address + ", retrying in 10 ms: " + e);
        s.port.schedule(() -> post(s), 10, TimeUnit.MILLISECONDS);
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public Tunable backlog() {
        return new Tunable(backlogCap, Math.max(0, posted.get()));
    }

    @Override
    public void backlog(int cap) {
        backlogCap = Checks.positive("backlog", cap);
    }

    @Override
    public long accepted() {
        return accepted.sum();
    }

    @Override
    public long watchdogClosed() {
        return watchdogClosed.sum();
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        for (Slot s : slots) {
            // on its own port, like every socket; the pending accept completes with AsynchronousCloseException
            Nio2Transport.onPort(s.port, () -> closeQuietly(s.ch));
        }
        transport.forget(this);
    }

    @Override
    public CompletableFuture<Void> onClose() {
        return closed;
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    @Override
    public String toString() {
        return "Listener[" + address + "]";
    }

    /** One port's server channel. */
    private static final class Slot {
        final Nio2Listener listener;
        final Nio2Port port;
        final AsynchronousServerSocketChannel ch;
        boolean done;   // port thread only

        Slot(Nio2Listener listener, Nio2Port port, AsynchronousServerSocketChannel ch) {
            this.listener = listener;
            this.port = port;
            this.ch = ch;
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
}
