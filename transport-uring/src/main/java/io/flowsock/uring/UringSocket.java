package io.flowsock.uring;

import io.flowsock.core.internal.CallbackFailure;
import io.flowsock.core.spi.ReadCompletion;
import io.flowsock.core.spi.SocketIo;
import io.flowsock.core.spi.WriteCompletion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.IntConsumer;

/**
 * A TCP socket on an io_uring port, driven by the core: its descriptor, its {@link Registration},
 * the connect, and the close. Reads are the {@link Receiver}'s, writes the {@link Sender}'s.
 *
 * <p><b>Close.</b> Cancels what is posted; the descriptor is closed, and the socket forgotten by
 * the port, only after the last operation's final completion. That moment is the socket's
 * release, reported to the callback given to {@link #whenReleased}: only then has the kernel
 * stopped reading and writing the memory of its operations. A write still in flight at close is
 * answered (failed) at its final completion, just before.
 *
 * <p>Runs only on its port's thread.
 */
final class UringSocket implements SocketIo, Completion {
    static final int OP_RECV = 1;
    static final int OP_SEND = 2;
    static final int OP_CONNECT = 3;
    static final int OP_RECV_MULTI = 4;

    private final UringPort port;
    final int fd;
    private final Registration registration;
    private final Receiver receiver;
    private Lent lent;                      // receive buffers the core kept for an echo; made on the first loan
    private final Sender sender;
    private InetSocketAddress local;
    private InetSocketAddress remote;
    private boolean closed;
    private final Release release;
    private ReadCompletion reads;           // the core's, as last given: told when a completion's callback throws

    // the connect in flight
    private WriteBlock connectBlock;
    private IntConsumer connected;

    UringSocket(UringPort port, int fd) {
        this.port = port;
        this.fd = fd;
        this.registration = port.register(this);
        this.release = new Release(port, registration, fd, () -> { });
        this.receiver = new Receiver(port, this);
        this.sender = new Sender(port, this);
    }

    Registration registration() {
        return registration;
    }

    boolean isClosed() {
        return closed;
    }

    /** Reads both addresses from the kernel; before the socket goes to a channel. */
    UringSocket addresses() {
        return addresses(null);
    }

    /**
     * Reads the peer's address from the kernel, and the local one too unless {@code knownLocal}
     * gives it (an accepted socket of a listener bound to one address has that address).
     */
    UringSocket addresses(InetSocketAddress knownLocal) {
        MemorySegment addr = port.scratch();
        MemorySegment len = addr.asSlice(SockAddr.SIZE + 4, 4);
        if (knownLocal != null) {
            local = knownLocal;
        } else {
            len.set(ValueLayout.JAVA_INT, 0, SockAddr.SIZE);
            Native.sockname(port.errno(), fd, false, addr, len);
            local = SockAddr.read(addr);
        }
        len.set(ValueLayout.JAVA_INT, 0, SockAddr.SIZE);
        Native.sockname(port.errno(), fd, true, addr, len);
        remote = SockAddr.read(addr);
        return this;
    }

    /**
     * Runs {@code r} once the socket is released: closed, every operation's final completion in,
     * the descriptor closed. At once if it already is.
     */
    void whenReleased(Runnable r) {
        release.then(r);
    }

    // ------------------------------------------------------------------ connect

    /** Posts a connect to {@code to}; {@code done} gets 0 or {@code -errno}, unless the socket was closed first. */
    void connect(InetSocketAddress to, IntConsumer done) {
        connectBlock = port.takeBlock(false);
        int len = SockAddr.write(to, connectBlock.staging);
        connected = done;
        port.submitConnect(registration, OP_CONNECT, fd, connectBlock.staging, len);
    }

    private void onConnect(int res) {
        port.releaseBlock(connectBlock);
        connectBlock = null;
        IntConsumer done = connected;
        connected = null;
        if (!closed && done != null) {
            done.accept(res);
        }
    }

    // ------------------------------------------------------------------ read and write

    @Override
    public void read(int count, boolean small, ReadCompletion completion) {
        reads = completion;
        if (!closed) {
            receiver.read(count, small, completion);
        }
    }

    @Override
    public void write(ByteBuffer[] srcs, int offset, int length, WriteCompletion completion) {
        if (!closed) {
            sender.write(srcs, offset, length, completion);
        }
    }

    // ------------------------------------------------------------------ completions

    @Override
    public void complete(int op, int res, int flags) {
        try {
            switch (op) {
                case OP_RECV -> receiver.onReceive(res, flags);
                case OP_RECV_MULTI -> receiver.onStream(res, flags);
                case OP_SEND -> sender.onSend(res);
                case OP_CONNECT -> onConnect(res);
                default -> throw new IllegalStateException("unknown socket operation " + op);
            }
        } catch (Throwable t) {
            callbackFailed(t);
        } finally {
            if (closed) {
                release.completed();
            }
        }
    }

    /**
     * A completion's callback threw: this connection fails with that error (see
     * {@link CallbackFailure}); the port's own catch would only log it and leave the connection
     * stranded.
     */
    private void callbackFailed(Throwable error) {
        CallbackFailure.fail(local, remote, error, e -> {
            if (reads != null) {
                reads.failed(e);
            } else {
                close(true);
            }
        });
    }

    @Override
    public void abandon() {
        close(false);
    }

    @Override
    public void lost() {
        closed = true;
        release.now();
    }

    // ------------------------------------------------------------------ shutdown and close

    @Override
    public void shutdownOutput() throws IOException {
        try {
            Native.shutdown(port.errno(), fd, Native.SHUT_WR);
        } catch (Errno.Failure e) {
            throw e.asIoException("shutdown");
        }
    }

    @Override
    public void close(boolean reset, Runnable released) {
        whenReleased(released);
        close(reset);
    }

    /** Closes the socket: cancels what is posted; the descriptor closes at the last final completion. */
    void close(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        if (reset) {
            MemorySegment linger = port.scratch().asSlice(0, 8);
            linger.set(ValueLayout.JAVA_INT, 0, 1);
            linger.set(ValueLayout.JAVA_INT, 4, 0);
            try {
                Native.setsockopt(port.errno(), fd, Native.SOL_SOCKET, Native.SO_LINGER, linger, "SO_LINGER");
            } catch (Errno.Failure ignored) {
                // already reset by the peer: a plain close is all that is left to do
            }
        }
        receiver.close();
        connected = null;
        release.closed();                    // the descriptor closes at the last final completion
    }

    /**
     * Received buffers may be kept for an echo while both rings keep at least a quarter free, so
     * loans waiting on slow peers never starve other connections' receives; past that, copies.
     */
    @Override
    public boolean lendsBuffers() {
        return port.buffers(true).lendable() && port.buffers(false).lendable();
    }

    /**
     * The core kept buffer {@code id} of {@code ring} (null: a scatter buffer) after its read:
     * lent until recycle(). If the socket was released meanwhile (the handler closed it inside the
     * read's completion), the core has already given back its loans, this one before it was
     * known here: it goes back now, its only return.
     */
    void kept(BufferRing ring, int id) {
        if (release.isDone()) {
            Lent.giveBack(ring, id, port.scatterBuffers());
            return;
        }
        if (lent == null) {
            lent = new Lent();
        }
        lent.add(ring, id);
    }

    /** The core gives back a buffer it kept; one no ring lent (a parked copy) is simply dropped. */
    @Override
    public void recycle(ByteBuffer buffer) {
        if (lent != null) {
            lent.giveBack(buffer, port.scatterBuffers());
        }
    }

    @Override
    public int smallBufferSize() {
        return UringPort.SMALL;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "UringSocket[fd=" + fd + " " + local + " -> " + remote + "]";
    }
}
