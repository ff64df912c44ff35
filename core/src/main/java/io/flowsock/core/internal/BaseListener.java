package io.flowsock.core.internal;

import io.flowsock.core.Channel;
import io.flowsock.core.ChannelObserver;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Tunable;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
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
    /**
     * Connections a slot sets up in one turn of its port at most, and how long a turn may go on
     * setting up; then the port looks at its completions, and the kernel at the listening socket,
     * again. Small, so that accepting never waits behind more than one turn.
     */
    static final int SETUP_BATCH = 16;
    static final long SETUP_TURN_NANOS = 500_000;

    protected final ListenOptions options;
    /** Connections a watchdog closed: each accepted channel's hook adds on its port, watchdogClosed() sums. */
    protected final LongAdder watchdogClosed = new LongAdder();
    /** What each accepted channel runs when a watchdog closes it: one for all, not a method reference per accept. */
    protected final Runnable onWatchdog = watchdogClosed::increment;
    private final InetSocketAddress address;
    private final Consumer<Channel> onAccept;
    private final List<Slot<?, ?>> slots = new ArrayList<>();   // filled by the constructor, then only read
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
                                                                      BiFunction<P, H, Slot<P, ?>> slot) {
        for (ReusePortBinder.Listening<P, H> l : sockets) {
            slots.add(slot.apply(l.port(), l.socket()));
        }
        open.set(slots.size());
        for (Slot<?, ?> s : slots) {
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
        ChannelObserver observer = options.child().observer();
        if (observer != null) {
            observer.acceptCompleted(address, backlog());
        }
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
        ChannelObserver observer = options.child().observer();
        if (observer != null) {
            observer.acceptFailed(address, e);
        }
    }

    /** Says why an accept failed while open; the slot posts again after {@link #RETRY_MILLIS}. */
    protected final void acceptFailed(String why) {
        LOG.log(System.Logger.Level.WARNING, "flowsock: accept failed on " + address + ", retrying in "
                + RETRY_MILLIS + " ms: " + why);
        ChannelObserver observer = options.child().observer();
        if (observer != null) {
            observer.acceptFailed(address, new java.io.IOException(why));
        }
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
        for (Slot<?, ?> s : slots) {
            PortChannels.onPort(s.port, s::withdraw);
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
     * One port's listening socket, the accepts posted on it, and the connections it accepted and has
     * not set up yet. Runs only on that port's thread.
     *
     * <p>Accepting a connection only queues it; setting connections up (socket options, the
     * engine's channel, the accept callback, which runs the server's handler) happens in turns of
     * the port of their own, each of at most {@link #SETUP_BATCH} connections or
     * {@link #SETUP_TURN_NANOS} (whichever ends first, and one connection at least). Setting a connection up costs
     * several times what accepting it does, so accepting it there kept the kernel's listen queue
     * as full as the setups were slow: in a connection storm the queue overflowed and the kernel
     * dropped SYNs, which clients retransmit only after 1 s and 3 s. Connections waiting for setup
     * count against the backlog: past {@code backlog()} of them the slot stops accepting and
     * leaves the rest to the kernel's listen queue.
     *
     * @param <P> the backend's port
     * @param <A> an accepted connection before setup: the backend's socket
     */
    protected abstract static class Slot<P extends CompletionPort, A> {
        public final P port;
        private final BaseListener listener;
        private final ArrayDeque<A> waiting = new ArrayDeque<>();   // accepted, not set up yet
        private boolean setupQueued;    // a setup turn is queued: set by accepted(), cleared as the turn begins
        // Set once. The port sets it, or, when the port is gone, the backend's own accept waiter
        // (nio2): both may try at once while the port drains its last tasks, so a CAS decides.
        private final AtomicBoolean done = new AtomicBoolean();

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

        /** Runs {@code turn} on this port once it has looked at its completions again (not inline). */
        protected abstract void nextTurn(Runnable turn);

        /** Sets an accepted connection up and hands it over (with {@link #handOver}), or drops and closes it. */
        protected abstract void setUp(A accepted);

        /** Closes an accepted connection that will not be set up, quietly. */
        protected abstract void discard(A accepted);

        /**
         * Before and after each setup turn, while fewer than the backlog wait: accept what came
         * meanwhile, and post accepts again if the slot had stopped.
         */
        protected abstract void resume();

        /**
         * Queues a connection an accept returned for setup in a later turn of the port; returns
         * whether the slot may accept another now (fewer than the backlog wait for setup).
         */
        protected final boolean accepted(A accepted) {
            waiting.add(accepted);
            if (!setupQueued) {
                setupQueued = true;
                nextTurn(this::setUpSome);
            }
            return mayAccept();
        }

        /** Whether fewer connections wait for setup than the backlog cap allows. */
        protected final boolean mayAccept() {
            return waiting.size() < listener.backlogCap;
        }

        private void setUpSome() {
            setupQueued = false;
            if (!listener.closing && mayAccept()) {
                resume();                 // what came since the last turn goes to the queue first
            }
            long until = System.nanoTime() + SETUP_TURN_NANOS;
            for (int i = 0; i < SETUP_BATCH && (i == 0 || System.nanoTime() - until < 0); i++) {
                A a = waiting.poll();
                if (a == null) {
                    break;
                }
                if (listener.closing) {
                    discard(a);
                } else {
                    setUp(a);
                }
            }
            if (!waiting.isEmpty() && !setupQueued) {
                setupQueued = true;
                nextTurn(this::setUpSome);
            }
            if (!listener.closing && mayAccept()) {
                resume();
            }
        }

        /**
         * The listener closes: connections still waiting for setup are closed, as those in the
         * kernel's listen queue are, and the accepts are withdrawn.
         */
        protected final void withdraw() {
            for (A a = waiting.poll(); a != null; a = waiting.poll()) {
                discard(a);
            }
            stop();
        }

        /**
         * This slot posts no more accepts and has none in the kernel: releases it, and the last slot
         * to finish completes {@link #onClose()}, after its socket is closed. Idempotent.
         */
        public final void finished() {
            if (done.compareAndSet(false, true)) {
                release();
                if (listener.open.decrementAndGet() == 0) {
                    listener.closed.complete(null);
                }
            }
        }
    }
}
