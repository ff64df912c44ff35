package io.flowsock.core;

import io.flowsock.core.internal.BurstDetector;
import io.flowsock.core.internal.HeapCopy;
import io.flowsock.core.spi.ReadCompletion;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A channel's input: the handler, its demand, the reads posted against it with Automatic Burst
 * Detection, and the delivery of what they bring. Also the read completion, the read kick and
 * (by extending it) the burst detector, so an idle connection's input costs one object.
 *
 * <p>Runs only on its channel's port thread, except {@link #start}, {@link #request},
 * {@link #recvBurst()} and {@link #recvBurst(int)}, which any thread may call.
 */
final class Inbound extends BurstDetector implements ReadCompletion, Runnable {
    private static final VarHandle DEMAND;
    private static final VarHandle READ_KICK;
    private static final VarHandle STARTED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            DEMAND = l.findVarHandle(Inbound.class, "demand", long.class);
            READ_KICK = l.findVarHandle(Inbound.class, "readKick", int.class);
            STARTED = l.findVarHandle(Inbound.class, "started", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Channel channel;
    // Plain fields behind VarHandles rather than Atomic* objects: an idle connection's heap matters
    // when a server holds tens of thousands of them.
    private volatile long demand;        // any thread adds (request), the port subtracts (deliver); read by queries
    private volatile int readKick;       // 1 while a kick task (this) sits in the port's queue: one at a time
    private volatile int started;        // 0 -> 1 once, by the first start() on any thread: a second one fails there
    private volatile int recvPosted;     // written on the port, read by recvBurst() queries: buffers of the posted read

    // Port thread only.
    private ChannelHandler handler;      // set by the first start(), on the port; null until then
    private boolean readPending;         // a read is posted and not completed
    private boolean readDiscards;        // the posted read drops what it reads (a close draining unconsumed input)
    private boolean delivering;          // inside deliver(): writes wait and go out in one batch after it
    private boolean inputEnded;          // EOF seen: no more reads
    private boolean inputSignalled;      // the handler got onEnd or onError: later cancels change nothing
    private boolean abandoned;           // the consumer cancelled: no reads but a close's drain, nothing delivered
    private long bytesReceived;
    private ByteBuffer loan;             // the port's buffer onData is looking at now, when the handler takes loans
    private boolean loanTaken;           // the loan was queued for writing during this onData: the backend must not reuse it

    Inbound(Channel channel) {
        super(channel.options.recvBurst());
        this.channel = channel;
    }

    void start(ChannelHandler h) {
        if (!STARTED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("channel " + channel + " already has a handler");
        }
        channel.port.dispatch(() -> {
            handler = h;
            if (channel.isClosed()) {
                h.onEnd();
                h.onClosed();
                return;
            }
            channel.watchdogs.armReadIdle();
            maybeRead();
        });
    }

    void request(long n) {
        long prev;
        long next;
        do {
            prev = demand;
            next = prev + n < 0 ? Long.MAX_VALUE : prev + n;
        } while (!DEMAND.compareAndSet(this, prev, next));
        if (channel.port.inPort()) {
            maybeRead();
        } else if (READ_KICK.compareAndSet(this, 0, 1)) {
            channel.port.execute(this);
        }
    }

    /** The read kick: a request from another thread asks the port to post a read. */
    @Override
    public void run() {
        readKick = 0;
        maybeRead();
    }

    void abandon() {
        channel.port.dispatch(() -> {
            if (abandoned || inputSignalled || channel.isClosed()) {
                return;                      // Reactive Streams 3.7: after the terminal signal a cancel is a no-op
            }
            abandoned = true;
            maybeRead();                     // only a closing channel reads on: it drains
        });
    }

    void maybeRead() {
        if (readPending || delivering || inputEnded || handler == null || channel.isClosed()) {
            return;
        }
        boolean discard = channel.isClosing() && (abandoned || handler.discardsInput());
        if (abandoned && !discard) {
            return;
        }
        readDiscards = discard;
        int n = next(discard ? Long.MAX_VALUE : demand, channel.caps.maxScatter());
        if (n <= 0) {
            return;
        }
        readPending = true;
        recvPosted = n;
        channel.watchdogs.readActivity();
        if (channel.observer != null) {
            channel.observer.readPosted(channel, n);
        }
        channel.io.read(n, small(), this);
    }

    @Override
    public void completed(ByteBuffer[] buffers, int count, int posted, int bufferSize, long bytes) {
        readPending = false;
        recvPosted = 0;
        if (channel.isClosed()) {
            return;
        }
        if (bytesReceived == 0 && bytes > 0) {
            channel.watchdogs.firstByteArrived();
        }
        bytesReceived += bytes;
        channel.watchdogs.readActivity();
        if (channel.observer != null) {
            channel.observer.readCompleted(channel, bytes, buffers, count);
        }
        record(posted, bufferSize, bytes, channel.io.smallBufferSize());
        if (!readDiscards && !abandoned) {
            deliver(buffers, count);     // posted against demand: never more buffers than asked for
        }
        maybeRead();
    }

    /**
     * Hands on each filled port buffer: lent as it is to a handler that takes loans (a loan queued
     * for writing is kept from the backend by nulling its slot), else copied into a right-sized
     * heap buffer the handler owns. Writes queued meanwhile go out in one batch after.
     */
    private void deliver(ByteBuffer[] buffers, int count) {
        delivering = true;
        boolean lend = channel.io.lendsBuffers() && handler.takesLoans();
        try {
            for (int i = 0; i < count && !channel.isClosed() && !abandoned; i++) {
                ByteBuffer src = buffers[i];
                if (demand != Long.MAX_VALUE) {
                    DEMAND.getAndAdd(this, -1L);
                }
                if (!lend) {
                    handler.onData(HeapCopy.of(src));
                    continue;
                }
                loan = src;
                try {
                    handler.onData(src);
                } finally {
                    if (loanTaken) {
                        buffers[i] = null;
                    }
                    loan = null;
                    loanTaken = false;
                }
            }
        } catch (RuntimeException e) {
            channel.callbackFailed("onData", e);
        } finally {
            delivering = false;
        }
        channel.out.pump();
    }

    /** Whether {@code b} is the buffer on loan to onData right now (queued for writing or not); port thread. */
    boolean isLoan(ByteBuffer b) {
        return b == loan && b != null;
    }

    /**
     * The loan is being queued for writing. True the first time: the output takes it and gives it
     * back to the backend once written. False when it already was: only one entry may give it
     * back, so the caller queues a copy.
     */
    boolean takeLoan() {
        boolean first = !loanTaken;
        loanTaken = true;
        return first;
    }

    @Override
    public void endOfStream() {
        readPending = false;
        recvPosted = 0;
        if (channel.isClosed()) {
            return;
        }
        inputEnded = true;
        channel.watchdogs.inputEnded();
        if (channel.observer != null) {
            channel.observer.inputEnded(channel);
        }
        if (channel.out.isWritePending()) {
            // A peer's RST can read as EOF: NIO.2 finishes the pending write first, which takes
            // the socket error, and queues that write's failure on this port. Answering the EOF
            // behind it lets the reset, not a clean end, reach the handler.
            channel.port.execute(this::endInput);
        } else {
            endInput();
        }
    }

    private void endInput() {
        if (channel.isClosed()) {
            return;
        }
        if (!abandoned && !inputSignalled) {
            inputSignalled = true;
            try {
                handler.onEnd();
            } catch (RuntimeException e) {
                channel.callbackFailed("onEnd", e);
                return;
            }
        }
        channel.closeIfBothEnded();
    }

    @Override
    public void failed(Throwable error) {
        readPending = false;
        recvPosted = 0;
        if (!channel.isClosed()) {
            channel.failed(error);
        }
    }

    /** The channel closed: the handler's input ends, with {@code cause} when there is one, then onClosed. */
    void closed(Throwable cause) {
        if (handler == null) {
            return;                          // start() answers a late handler
        }
        try {
            if (!inputSignalled && !abandoned) {
                inputSignalled = true;
                if (cause == null) {
                    handler.onEnd();
                } else {
                    handler.onError(cause);
                }
            }
            handler.onClosed();
        } catch (RuntimeException e) {
            channel.closeCallbackFailed("the handler", e);
        }
    }

    boolean hasEnded() {
        return inputEnded;
    }

    boolean isReadPending() {
        return readPending;
    }

    boolean isDelivering() {
        return delivering;
    }

    long bytesReceived() {
        return bytesReceived;
    }

    Tunable recvBurst() {
        int posted = recvPosted;
        return new Tunable(cap(), posted > 0 ? posted : peek(demand, channel.caps.maxScatter()));
    }

    void recvBurst(int cap) {
        cap(cap);
    }
}
