package io.flowsock.core.internal;

import io.flowsock.core.Channel;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Tunable;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * What a server is on every backend: its address, the backlog tunable and the counters, the hand-off
 * of each accepted connection to the accept callback, and the close, which stops every port's
 * {@link Slot} and completes {@link #onClose()} when the last one has closed its socket. A backend
 * says how a slot keeps accepts posted.
 *
 * <p><b>Threading.</b> The {@link Listener} methods are safe from any thread; a slot, and the
 * protected methods a slot calls, run on the slot's port thread.
 */
public abstract class BaseListener implements Listener {
    private static final System.Logger LOG = System.getLogger(BaseListener.class.getName());
    /** How long a slot waits before it posts again after an accept failed (out of descriptors, say). */
    protected static final long RETRY_MILLIS = 10;

    protected final ListenOptions options;
    /** Connections a watchdog closed: each accepted channel's hook adds on its port, watchdogClosed() sums. */
    protected final LongAdder watchdogClosed = new LongAdder();
    private final InetSocketAddress address;
    private final Consumer<Channel> onAccept;
    private final List<Slot<?>> slots = new ArrayList<>();   // filled by the constructor, then only read
    private final LongAdder accepted = new LongAdder();       // slots add on their ports, accepted() sums
    private final AtomicInteger armed = new AtomicInteger();  // accepts in the kernel: slots add, backlog() reads
    private final AtomicInteger open = new AtomicInteger();   // slots not finished; the last to finish completes closed
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile int backlogCap;        // written by backlog(int) from any thread, read by slots when they re-post
    private volatile boolean closing;       // set once by close(), read by slots on their ports

    /** A listener bound to {@code address}; it accepts from {@link #startAccepting}. */
    protected BaseListener(InetSocketAddress address, ListenOptions options, Consumer<Channel> onAccept) {
        this.address = address;
        this.options = options;
        this.onAccept = onAccept;
        this.backlogCap = options.backlog();
    }

    /**
     * Makes a slot of each bound socket and starts it on its port; the last step of a backend
     * listener's constructor.
     */
    protected final <P extends CompletionPort, H> void startAccepting(List<ReusePortBinder.Listening<P, H>> sockets,
                                                                      BiFunction<P, H, Slot<P>> slot) {
        for (ReusePortBinder.Listening<P, H> l : sockets) {
            slots.add(slot.apply(l.port(), l.socket()));
        }
        open.set(slots.size());
        for (Slot<?> s : slots) {
            s.port.execute(s::start);
        }
    }

    /** Whether {@link #close()} was called: a slot posts nothing more and closes what it accepts. */
    protected final boolean closing() {
        return closing;
    }

    /** The backlog cap now, which a backend that posts single accepts posts up to. */
    protected final int backlogCap() {
        return backlogCap;
    }

    /** Counts accepts armed in the kernel: +1 when posted, -1 at its final completion. */
    protected final void armed(int delta) {
        armed.addAndGet(delta);
    }

    /** Counts an accepted connection and gives it to the accept callback; a callback that throws closes it. */
    protected final void handOver(Channel channel) {
        accepted.increment();
        try {
            onAccept.accept(channel);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: accept callback failed for " + channel + "; closing it", e);
            channel.abort(e);
        }
    }

    /** Says why an accepted connection could not be set up; its socket is the caller's to close. */
    protected final void dropped(Throwable e) {
        LOG.log(System.Logger.Level.WARNING, "flowsock: dropping an accepted connection on " + address + ": " + e, e);
    }

    /** Says why an accept failed while open; the slot posts again after {@link #RETRY_MILLIS}. */
    protected final void acceptFailed(String why) {
        LOG.log(System.Logger.Level.WARNING, "flowsock: accept failed on " + address + ", retrying in "
                + RETRY_MILLIS + " ms: " + why);
    }

    @Override
    public final InetSocketAddress address() {
        return address;
    }

    @Override
    public final Tunable backlog() {
        return new Tunable(backlogCap, Math.max(0, armed.get()));
    }

    @Override
    public final void backlog(int cap) {
        backlogCap = Checks.positive("backlog", cap);
    }

    @Override
    public final long accepted() {
        return accepted.sum();
    }

    @Override
    public final long watchdogClosed() {
        return watchdogClosed.sum();
    }

    @Override
    public final void close() {
        if (closing) {
            return;
        }
        closing = true;
        for (Slot<?> s : slots) {
            PortChannels.onPort(s.port, s::stop);
        }
    }

    @Override
    public final CompletableFuture<Void> onClose() {
        return closed;
    }

    @Override
    public String toString() {
        return "Listener[" + address + "]";
    }

    /**
     * One port's listening socket and the accepts posted on it. Runs only on that port's thread.
     *
     * @param <P> the backend's port
     */
    protected abstract static class Slot<P extends CompletionPort> {
        public final P port;
        private final BaseListener listener;
        private boolean done;   // port thread only

        protected Slot(BaseListener listener, P port) {
            this.listener = listener;
            this.port = port;
        }

        /** Posts the first accepts, or finishes at once if the listener is closing already. */
        protected abstract void start();

        /** The listener closes: withdraw the accepts; the slot calls {@link #finished} once none is left. */
        protected abstract void stop();

        /** Closes the listening socket and lets go of what the slot holds on its port; once, from {@link #finished}. */
        protected abstract void release();

        /**
         * This slot posts no more accepts and has none in the kernel: releases it, and the last slot
         * to finish completes {@link #onClose()}, after its socket is closed. Idempotent.
         */
        public final void finished() {
            if (!done) {
                done = true;
                release();
                if (listener.open.decrementAndGet() == 0) {
                    listener.closed.complete(null);
                }
            }
        }
    }
}
