package io.flowsock.uring;

import io.flowsock.core.spi.ChannelFactory;
import io.flowsock.core.Channel;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.internal.BaseListener;
import io.flowsock.core.internal.ReusePortBinder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A server on io_uring: one listening socket per port with SO_REUSEPORT (the kernel spreads
 * connections over the ports, see {@link ReusePortBinder}), each with a multishot accept armed on
 * its port's ring. Where the kernel has no multishot accept (the first completion says EINVAL),
 * the slot keeps single accepts posted instead, up to the backlog (at most 64). Closing cancels
 * the accepts; each listening socket is closed after its accepts' final completion.
 */
final class UringListener extends BaseListener {
    private static final int MAX_SINGLE_ACCEPTS = 64;

    private final UringTransport transport;

    UringListener(UringTransport transport, InetSocketAddress requested, ListenOptions options,
                  Consumer<Channel> onAccept) {
        this(transport, bind(transport, requested, options), options, onAccept);
    }

    private UringListener(UringTransport transport, ReusePortBinder.Bound<UringPort, Integer> bound,
                          ListenOptions options, Consumer<Channel> onAccept) {
        super(bound.address(), options, onAccept);
        this.transport = transport;
        startAccepting(bound.sockets(), Slot::new);
    }

    private static ReusePortBinder.Bound<UringPort, Integer> bind(UringTransport transport,
                                                                  InetSocketAddress requested, ListenOptions options) {
        try (Sockets sockets = new Sockets()) {
            return ReusePortBinder.bind(transport.ports(), true, requested, options, sockets);
        }
    }

    /**
     * One port's listening socket and its accepts. Runs only on that port's thread. The kernel runs
     * a multishot accept when the port enters the ring, taking every queued connection; the slot
     * only queues each for setup, and the setups run a batch per turn of the port, so the port
     * enters the ring, and the kernel accepts, between every two batches.
     */
    private final class Slot extends BaseListener.Slot<UringPort, Integer> implements Completion {
        private static final int OP_ACCEPT = 1;
        final int fd;
        private Registration registration;       // from start(); it counts the accepts armed
        private boolean multishot = true;
        private boolean cancelling;              // a cancel of the multishot is in flight: the backlog's worth waits

        Slot(UringPort port, int fd) {
            super(UringListener.this, port);
            this.fd = fd;
        }

        @Override
        protected void start() {
            if (closing()) {
                finishIfIdle();
                return;
            }
            registration = port.register(this);
            arm();
        }

        private void arm() {
            if (closing()) {
                finishIfIdle();
                return;
            }
            if (!mayAccept()) {
                return;                                 // resume() arms again once setups made room
            }
            int want = multishot ? 1
                    : Math.min(MAX_SINGLE_ACCEPTS, Math.max(1, Math.min(options.backlog(), backlogCap())));
            while (registration.pending() < want) {
                port.submitAccept(registration, OP_ACCEPT, fd, multishot);
                armed(1);
            }
        }

        @Override
        public void complete(int op, int res, int flags) {
            boolean last = (flags & Ring.CQE_F_MORE) == 0;
            if (last) {
                armed(-1);
                cancelling = false;
            }
            if (res >= 0) {
                if (closing()) {
                    Native.close(port.errno(), res);      // accepted as the listener closed: nobody will serve it
                } else if (!accepted(res) && !last && !cancelling) {
                    cancelling = true;                  // the backlog's worth waits for setup: leave the rest to the kernel
                    port.submitCancel(registration, OP_ACCEPT);
                }
            } else if (res == -Errno.EINVAL && multishot && !closing()) {
                multishot = false;                      // a kernel without multishot accept
            } else if (!closing() && res != -Errno.ECANCELED) {
                acceptFailed(Errno.describe(-res));
                if (last) {
                    port.schedule(this::arm, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                }
                return;
            }
            if (last) {
                arm();
            }
        }

        @Override
        protected void setUp(Integer childFd) {
            Channel channel;
            UringSocket socket = null;
            try {
                SocketOptions.apply(port.errno(), port.scratch(), childFd, options.child().socketOptions());
                InetSocketAddress local = address().getAddress().isAnyLocalAddress() ? null : address();
                socket = new UringSocket(port, childFd).addresses(local);
                channel = port.adopt(ChannelFactory.accepted(port, socket, transport.capabilities(), options.child(),
                        onWatchdog));
            } catch (RuntimeException e) {
                dropped(e);
                if (socket != null) {
                    socket.close(false);
                } else {
                    Native.close(port.errno(), childFd);
                }
                return;
            }
            handOver(channel);
        }

        @Override
        protected void stop() {
            if (registration != null && registration.pending() > 0) {
                port.submitCancel(registration, OP_ACCEPT);
            } else {
                finishIfIdle();
            }
        }

        @Override
        public void abandon() {
            withdraw();
        }

        @Override
        protected void nextTurn(Runnable turn) {
            port.nextTurn(turn);
        }

        @Override
        protected void discard(Integer childFd) {
            Native.close(port.errno(), childFd);
        }

        @Override
        protected void resume() {
            if (registration != null) {
                arm();
            }
        }

        private void finishIfIdle() {
            if (registration == null || registration.pending() == 0) {
                finished();
            }
        }

        @Override
        protected void release() {
            Native.close(port.errno(), fd);
            if (registration != null) {
                port.unregister(registration);
            }
        }
    }

    /** The bind loop's sockets: plain system calls, with their own errno capture and address buffer. */
    private static final class Sockets implements ReusePortBinder.Sockets<UringPort, Integer>, AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment state = Native.errnoState(arena);
        private final MemorySegment addr = arena.allocate(SockAddr.SIZE + 8, 8);

        @Override
        public void probe(InetSocketAddress address) {
            int fd = Native.socket(state, SockAddr.family(address));
            try {
                Native.bind(state, fd, addr, SockAddr.write(address, addr));
            } finally {
                Native.close(state, fd);
            }
        }

        @Override
        public Integer open(UringPort port, InetSocketAddress address) {
            return Native.socket(state, SockAddr.family(address));
        }

        @Override
        public InetSocketAddress bind(Integer fd, InetSocketAddress address, boolean reusePort, int backlog) {
            SocketOptions.setInt(state, arena, fd, Native.SOL_SOCKET, Native.SO_REUSEADDR, 1, "SO_REUSEADDR");
            if (reusePort) {
                SocketOptions.setInt(state, arena, fd, Native.SOL_SOCKET, Native.SO_REUSEPORT, 1, "SO_REUSEPORT");
            }
            Native.bind(state, fd, addr, SockAddr.write(address, addr));
            Native.listen(state, fd, backlog);
            MemorySegment lenOut = addr.asSlice(SockAddr.SIZE, 4);
            lenOut.set(ValueLayout.JAVA_INT, 0, SockAddr.SIZE);
            Native.sockname(state, fd, false, addr, lenOut);
            return SockAddr.read(addr);
        }

        @Override
        public void close(Integer fd) {
            Native.close(state, fd);
        }

        @Override
        public Throwable cause(Throwable failure) {
            return failure instanceof Errno.Failure f ? f.asIoException("bind") : failure;
        }

        @Override
        public void close() {
            arena.close();
        }
    }
}
