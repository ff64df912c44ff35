package io.flowsock.uring;

import io.flowsock.core.BindException;
import io.flowsock.core.Channel;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Tunable;
import io.flowsock.core.internal.Checks;
import io.flowsock.core.spi.ChannelFactory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A server on io_uring: one listening socket per port with SO_REUSEPORT (the kernel spreads
 * connections over the ports), each with a multishot accept armed on its port's ring. Where the
 * kernel has no multishot accept (the first completion says EINVAL), the slot keeps single
 * accepts posted instead, up to the backlog (at most 64). Closing cancels the
 * accepts; each listening socket is closed after its accepts' final completion.
 */
final class UringListener implements Listener {
    private static final System.Logger LOG = System.getLogger(UringListener.class.getName());
    private static final int MAX_SINGLE_ACCEPTS = 64;

    private final UringTransport transport;
    private final ListenOptions options;
    private final Consumer<Channel> onAccept;
    private final List<Slot> slots = new ArrayList<>();
    private final InetSocketAddress address;
    private final AtomicInteger armed = new AtomicInteger();    // accepts armed in the kernel, all ports
    private final LongAdder accepted = new LongAdder();
    private final LongAdder watchdogClosed = new LongAdder();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile int backlogCap;
    private volatile boolean closing;

    UringListener(UringTransport transport, InetSocketAddress requested, ListenOptions options,
                  Consumer<Channel> onAccept) {
        this.transport = transport;
        this.options = options;
        this.onAccept = onAccept;
        this.backlogCap = options.backlog();
        List<UringPort> ports = transport.ports();
        boolean spread = ports.size() > 1;
        // Every listener asks the kernel for the whole backlog, as on nio2: the kernel hashes each
        // connection to one listener and never moves it, unevenly, so a split backlog overflows one
        // listener's share in a storm while the server holds far fewer than backlog connections.
        int queue = options.backlog();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState(arena);
            MemorySegment addr = arena.allocate(SockAddr.SIZE + 8, 8);
            if (spread && !options.reusePort() && requested.getPort() != 0) {
                probe(state, addr, requested);   // SO_REUSEPORT would silently share a port that is taken
            }
            InetSocketAddress bindTo = requested;
            for (UringPort port : spread ? ports : ports.subList(0, 1)) {
                int fd = Native.socket(state, SockAddr.family(requested));
                slots.add(new Slot(port, fd, queue));
                SocketOptions.setInt(state, arena, fd, Native.SOL_SOCKET, Native.SO_REUSEADDR, 1, "SO_REUSEADDR");
                if (spread || options.reusePort()) {
                    SocketOptions.setInt(state, arena, fd, Native.SOL_SOCKET, Native.SO_REUSEPORT, 1, "SO_REUSEPORT");
                }
                int len = SockAddr.write(bindTo, addr);
                Native.bind(state, fd, addr, len);
                Native.listen(state, fd, queue);
                MemorySegment lenOut = addr.asSlice(SockAddr.SIZE, 4);
                lenOut.set(ValueLayout.JAVA_INT, 0, SockAddr.SIZE);
                Native.sockname(state, fd, false, addr, lenOut);
                bindTo = SockAddr.read(addr);
            }
            address = bindTo;
        } catch (RuntimeException e) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = Native.errnoState(arena);
                for (Slot s : slots) {
                    Native.close(state, s.fd);
                }
            }
            throw new BindException(requested, e instanceof Errno.Failure f ? f.asIoException("bind") : e);
        }
        open.set(slots.size());
        for (Slot s : slots) {
            s.port.execute(s::start);
        }
    }

    private static void probe(MemorySegment state, MemorySegment addr, InetSocketAddress address) {
        int fd = Native.socket(state, SockAddr.family(address));
        try {
            Native.bind(state, fd, addr, SockAddr.write(address, addr));
        } finally {
            Native.close(state, fd);
        }
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public Tunable backlog() {
        return new Tunable(backlogCap, Math.max(0, armed.get()));
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
            UringTransport.onPort(s.port, s::stop);
        }
        transport.forget(this);
    }

    @Override
    public CompletableFuture<Void> onClose() {
        return closed;
    }

    @Override
    public String toString() {
        return "Listener[" + address + "]";
    }

    /** One port's listening socket and its accepts. Runs only on that port's thread. */
    private final class Slot implements UringPort.Completion {
        private static final int OP_ACCEPT = 1;
        final UringPort port;
        final int fd;
        private final int queue;
        private int id;
        private boolean multishot = true;
        private int posted;
        private boolean done;

        Slot(UringPort port, int fd, int queue) {
            this.port = port;
            this.fd = fd;
            this.queue = queue;
        }

        void start() {
            if (closing) {
                finishIfIdle();
                return;
            }
            id = port.register(this);
            arm();
        }

        private void arm() {
            if (closing) {
                finishIfIdle();
                return;
            }
            int want = multishot ? 1 : Math.min(MAX_SINGLE_ACCEPTS, Math.max(1, Math.min(queue, backlogCap)));
            while (posted < want) {
                long at = port.sqe(Ring.OP_ACCEPT, fd, 0, 0, 0, id, OP_ACCEPT);
                if (multishot) {
                    port.ring.ioprio(at, Ring.ACCEPT_MULTISHOT);
                }
                port.ring.opFlags(at, Native.SOCK_CLOEXEC);
                posted++;
                armed.incrementAndGet();
            }
        }

        @Override
        public void complete(int op, int res, int flags) {
            boolean last = (flags & Ring.CQE_F_MORE) == 0;
            if (last) {
                posted--;
                armed.decrementAndGet();
            }
            if (res >= 0) {
                if (closing) {
                    Native.close(port.state, res);      // accepted as the listener closed: nobody will serve it
                } else {
                    accepted(res);
                }
            } else if (res == -Errno.EINVAL && multishot && !closing) {
                multishot = false;                      // a kernel without multishot accept
            } else if (!closing && res != -Errno.ECANCELED) {
                // Out of descriptors or similar: log, and retry shortly rather than spin on the error.
                LOG.log(System.Logger.Level.WARNING, "flowsock: accept failed on " + address + ", retrying in 10 ms: "
                        + Errno.describe(-res));
                if (last) {
                    port.schedule(this::arm, 10, TimeUnit.MILLISECONDS);
                }
                return;
            }
            if (last) {
                arm();
            }
        }

        private void accepted(int childFd) {
            Channel channel;
            UringSocket socket = null;
            try {
                SocketOptions.apply(port.state, port.scratch, childFd, options.child().socketOptions());
                socket = new UringSocket(port, childFd).addresses(address.getAddress().isAnyLocalAddress() ? null : address);
                channel = port.adopt(ChannelFactory.accepted(port, socket, transport.capabilities(), options.child(),
                        watchdogClosed::increment));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "flowsock: dropping an accepted connection on " + address + ": " + e);
                if (socket != null) {
                    socket.close(false);
                } else {
                    Native.close(port.state, childFd);
                }
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

        void stop() {
            if (posted > 0) {
                port.cancel(((long) id << 8) | OP_ACCEPT);
            } else {
                finishIfIdle();
            }
        }

        @Override
        public void abandon() {
            stop();
        }

        private void finishIfIdle() {
            if (posted == 0 && !done) {
                done = true;
                Native.close(port.state, fd);
                if (id != 0) {
                    port.unregister(id);
                }
                if (open.decrementAndGet() == 0) {
                    closed.complete(null);
                }
            }
        }
    }
}
