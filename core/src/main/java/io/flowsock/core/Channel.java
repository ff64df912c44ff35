package io.flowsock.core;

import io.flowsock.core.internal.ChannelAccess;
import io.flowsock.core.internal.Checks;
import io.flowsock.core.spi.SocketIo;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLSession;
import java.util.function.Consumer;

/**
 * One TCP connection on the completion-port core: reads posted only against demand with Automatic
 * Burst Detection, outbound streams written in order at most {@code sendCap} buffers ahead,
 * half-close, graceful close and the watchdogs. The reactive {@code Connection} is a thin layer
 * over this class; users without Reactor drive it through {@link ChannelHandler} and {@link Send}.
 * Backends open channels through {@link io.flowsock.core.spi.ChannelFactory}.
 *
 * <p>This class keeps the connection's state, its close future and its tunables; the work is done
 * by three parts confined to the port: the inbound side (demand, reads, ABD, delivery), the
 * outbound side (the queue of outbound operations, gathering writes, sendcap accounting)
 * and the watchdogs. docs/design.md draws the state machine they share.
 *
 * <p><b>Threading.</b> Public methods are safe from any thread and hand their work to the
 * channel's port. Everything else runs only on the port thread, including every callback.
 *
 * <p><b>Buffers.</b> Reads land in port-owned memory and are copied into a right-sized heap
 * buffer that the handler owns for good, or lent as they are to a handler that
 * {@link ChannelHandler#takesLoans() takes loans}. Buffers offered to a {@link Send} belong to the channel
 * until that send ends.
 *
 * <p><b>Lifecycle.</b> Open until {@link #close()}, {@link #dispose()}, {@link #abort}, a
 * watchdog, or an I/O error; {@link #onClose()} completes in every case, after the socket is
 * closed and every pending operation has been answered. Cancelling the input
 * ({@link #abandonInput()}) does not close it: output goes on until the application closes.
 */
public final class Channel {
    private static final System.Logger LOG = System.getLogger(Channel.class.getName());
    private static final CompletionStage<Void> PLAINTEXT_READY = CompletableFuture.<Void>completedFuture(null)
            .minimalCompletionStage();
    private static final int OPEN = 0;
    private static final int CLOSING = 1;   // a graceful close sent FIN: draining input to the peer's FIN
    private static final int CLOSED = 2;

    private static final VarHandle CLOSE_FUTURE;

    static {
        try {
            CLOSE_FUTURE = MethodHandles.lookup().findVarHandle(Channel.class, "closeFuture", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        ChannelAccess.install(Channel::new, Channel::releaseHook);
    }

    final CompletionPort port;
    final SocketIo io;
    final Capabilities caps;
    final ChannelOptions options;
    final Timer timer;
    private final TlsIo tls;             // null for plaintext
    private final InetSocketAddress localAddress;
    private final InetSocketAddress remoteAddress;
    // Made when first asked for (an idle connection that nobody asks holds none); completed once
    // released is set. Either side reads the other's volatile after writing its own, so whichever
    // comes second completes it.
    private volatile CompletableFuture<Void> closeFuture;
    private volatile boolean released;
    final Inbound in;
    final Outbound out;
    final Watchdogs watchdogs;
    final ChannelObserver observer;      // null for none: each event site checks

    private int state = OPEN;            // port only: OPEN -> CLOSING -> CLOSED, or OPEN -> CLOSED; never back
    private boolean closeRequested;      // port only: close() ran once; later calls just return the future
    private Consumer<Channel> releaseHook;   // port only: the port registry's, run once at release

    /**
     * @param accepted   whether a listener accepted it (a first-byte watchdog guards it) rather
     *                   than a client connected it
     * @param onWatchdog run when a watchdog closes this connection, so a server can count them
     */
    private Channel(CompletionPort port, SocketIo io, Capabilities caps, ChannelOptions options, boolean accepted,
                    Runnable onWatchdog) {
        this.port = Objects.requireNonNull(port, "port");
        Objects.requireNonNull(io, "io");
        this.caps = Objects.requireNonNull(caps, "caps");
        this.options = Objects.requireNonNull(options, "options");
        this.timer = port.timer();
        this.localAddress = io.localAddress();
        this.remoteAddress = io.remoteAddress();
        this.tls = options.tls().enabled() ? new TlsIo(io, options.tls(), this) : null;
        this.io = tls != null ? tls : io;
        this.in = new Inbound(this);
        this.out = new Outbound(this);
        this.watchdogs = new Watchdogs(this, Objects.requireNonNull(onWatchdog, "onWatchdog"));
        this.observer = options.observer();
        watchdogs.armAtOpen(accepted);
        if (observer != null) {
            observer.opened(this, accepted);
        }
        if (tls != null) {
            port.execute(tls::start);        // once this channel is whole: completions may come inline
        }
    }

    public CompletionPort port() {
        return port;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    public ChannelOptions options() {
        return options;
    }

    /** Whether the connection is not yet closed (it may be half-closed or closing). */
    public boolean isOpen() {
        return !released;
    }

    /**
     * Completes on the port thread once the TLS handshake is done, at once for plaintext; fails
     * with {@link TlsException} (or the error that closed the connection first) if it never is.
     */
    public CompletionStage<Void> handshake() {
        return tls != null ? tls.handshakeDone.minimalCompletionStage() : PLAINTEXT_READY;
    }

    /** The TLS session once the handshake is done: protocol, cipher suite, peer certificates; empty for plaintext or before. */
    public Optional<SSLSession> tlsSession() {
        return tls != null && tls.handshakeSucceeded() ? Optional.of(tls.engine().getSession()) : Optional.empty();
    }

    /** The application protocol TLS negotiated (ALPN), empty for none, for plaintext or before the handshake is done. */
    public Optional<String> applicationProtocol() {
        return tlsSession().map(s -> tls.engine().getApplicationProtocol()).filter(p -> !p.isEmpty());
    }

    /** Completes on the port thread once the connection is closed, whatever closed it. */
    public CompletableFuture<Void> onClose() {
        CompletableFuture<Void> f = closeFuture;
        if (f != null) {
            return f;
        }
        CompletableFuture<Void> made = new CompletableFuture<>();
        @SuppressWarnings("unchecked")
        CompletableFuture<Void> raced = (CompletableFuture<Void>) CLOSE_FUTURE.compareAndExchange(this, null, made);
        if (raced != null) {
            return raced;
        }
        if (released) {
            made.complete(null);
        }
        return made;
    }

    // ------------------------------------------------------------------ inbound

    /**
     * Sets the handler that receives what is read. Once per channel: a second call throws
     * {@link IllegalStateException} in the caller and leaves the first handler as it was.
     * On a channel already closed the handler gets {@code onEnd} and {@code onClosed} at once.
     * Returns this channel.
     */
    public Channel start(ChannelHandler handler) {
        in.start(Objects.requireNonNull(handler, "handler"));
        return this;
    }

    /** Allows {@code n} more calls of {@link ChannelHandler#onData}; reads are posted only against it. */
    public void request(long n) {
        Checks.positive("n", n);
        in.request(n);
    }

    /**
     * The consumer of the input went away: no more input. No read is posted from now on; one
     * already posted cannot be withdrawn on every backend, so its data is dropped when it
     * completes. Output is unaffected: sends keep working, and the connection stays open until it
     * is closed. A graceful close then reads and drops the input until the peer's FIN. Once the
     * handler got {@code onEnd} or {@code onError}, or the channel closed, this does nothing.
     */
    public void abandonInput() {
        in.abandon();
    }

    // ------------------------------------------------------------------ outbound

    /**
     * Starts an outbound stream pulled from {@code source}. Streams are written one after another
     * in the order they were started. Fails the source at once if the output is shut down or the
     * connection is closing or closed.
     */
    public Send send(SendSource source) {
        return out.send(Objects.requireNonNull(source, "source"));
    }

    /** Sends FIN once every send started before this call is written; input keeps working. */
    public CompletableFuture<Void> shutdownOutput() {
        return out.shutdownOutput();
    }

    /**
     * Graceful close: finishes the sends already started, sends FIN, reads until the peer's FIN
     * (dropping what nobody consumes) or the close timeout, then closes. Returns {@link #onClose()}.
     */
    public CompletableFuture<Void> close() {
        port.dispatch(() -> {
            if (closeRequested || state == CLOSED) {
                return;
            }
            closeRequested = true;
            out.refuse("connection is closing");
            if (!(in.hasEnded() && out.isIdle())) {   // the usual server close (peer FIN seen, all written) needs no timer
                watchdogs.armClose();
            }
            out.submit(Outbound.Close.INSTANCE);
        });
        return onClose();
    }

    /** Closes at once: pending sends fail with {@link ConnectionClosedException}, input completes. */
    public void dispose() {
        port.dispatch(() -> terminate(null, false));
    }

    /** Closes at once with a reset; input and pending sends fail with {@code cause}. */
    public void abort(Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        port.dispatch(() -> terminate(cause, true));
    }

    // ------------------------------------------------------------------ tunables

    /** (cap, buffers requested from the active send and not yet fully written). */
    public Tunable sendCap() {
        return out.sendCap();
    }

    /** Changes sendCap live: a higher cap requests the difference at once, a lower one waits for writes. */
    public void sendCap(int cap) {
        Checks.positive("sendCap", cap);
        out.sendCap(cap);
        tunableChanged("sendcap", cap);
    }

    /**
     * (cap, buffers the next read will post: ABD's current choice within cap and demand). Safe
     * from any thread: it reads only what the port publishes in volatile fields, so it may lag a
     * read completing at the same moment by one read.
     */
    public Tunable recvBurst() {
        return in.recvBurst();
    }

    /** Changes recvBurst from the next read; 1 turns ABD off. */
    public void recvBurst(int cap) {
        Checks.positive("recvBurst", cap);
        in.recvBurst(cap);
        tunableChanged("recvburst", cap);
    }

    private void tunableChanged(String tunable, int cap) {
        if (observer != null) {
            port.dispatch(() -> observer.tunableChanged(this, tunable, cap));
        }
    }

    @Override
    public String toString() {
        return "Channel[" + localAddress + " <-> " + remoteAddress + "]";
    }

    // ------------------------------------------------------------------ state, for the parts (port thread)

    boolean isClosed() {
        return state == CLOSED;
    }

    boolean isClosing() {
        return state == CLOSING;
    }

    /** A graceful close's FIN went out: drain the input until the peer's FIN, unless it came already. */
    void finSentForClose() {
        state = CLOSING;
        if (in.hasEnded()) {
            terminate(null, false);
        } else {
            in.maybeRead();
        }
    }

    /** FIN went both ways: nothing is left to happen on this connection. */
    void closeIfBothEnded() {
        if (in.hasEnded() && (state == CLOSING || out.isOutputShut())) {
            terminate(null, false);
        }
    }

    /**
     * A posted read or write failed: an I/O error is the peer's reset as the user sees it; anything
     * else (a callback of this connection that threw, a library bug) closes abortively with that
     * error as it is, so it is not mistaken for the network's.
     */
    void failed(Throwable error) {
        if (error instanceof java.io.IOException) {
            terminate(new ConnectionResetException(remoteAddress, error), false);
        } else {
            terminate(error, true);
        }
    }

    /**
     * Closes the socket, and once the backend has released it (no operation can touch a buffer any
     * more) answers everything pending: sends fail, the input ends (with {@code cause} as its
     * error when there is one), then {@code onClosed} and {@link #onClose()}. Until then the
     * state is already CLOSED, so nothing new starts.
     */
    void terminate(Throwable cause, boolean reset) {
        if (state == CLOSED) {
            return;
        }
        state = CLOSED;
        watchdogs.cancelAll();
        io.close(reset, () -> released(cause, reset));
    }

    private void released(Throwable cause, boolean reset) {
        out.failAll(cause);
        in.closed(cause);
        if (observer != null) {
            observer.closed(this, cause, reset);
        }
        Consumer<Channel> hook = releaseHook;
        if (hook != null) {
            releaseHook = null;
            hook.accept(this);
        }
        released = true;
        CompletableFuture<Void> f = closeFuture;
        if (f != null) {
            f.complete(null);
        }
    }

    private void releaseHook(Consumer<Channel> hook) {
        if (releaseHook != null) {
            throw new IllegalStateException(this + " has a release hook already");
        }
        releaseHook = Objects.requireNonNull(hook, "hook");
    }

    /**
     * A handler or source threw on the port thread. Thrown into the JDK, it would cost the port
     * its thread; so the connection is closed abortively with the error instead, and it is logged
     * because the thrower may not be listening for it.
     */
    void callbackFailed(String callback, RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "flowsock: " + callback + " threw on " + this + "; closing it", e);
        terminate(e, true);
    }

    /** A failure while closing that nobody can be told about any more. */
    void closeCallbackFailed(String who, RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "flowsock: " + who + " threw while " + this + " closed", e);
    }
}
