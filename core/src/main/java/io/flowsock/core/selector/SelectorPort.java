package io.flowsock.core.selector;

import io.flowsock.core.Timer;
import io.flowsock.core.internal.BackendPort;
import io.flowsock.core.internal.NioChannels;
import io.flowsock.core.internal.PortChannels;
import io.flowsock.core.internal.ReceiveBuffers;
import io.flowsock.core.nio2.DatagramScratch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A completion port on the JDK's {@link Selector}: one thread that waits for readiness, performs
 * the read, write or accept that was posted on the ready socket, runs its completion, and runs the
 * port's tasks between two waits. On Linux the selector is a level-triggered epoll set, so a
 * socket's interest is changed only when what is posted on it changes, not once per read as with
 * NIO.2's one-shot registrations.
 *
 * <p><b>Threading.</b> {@link #execute}, {@link #stop} and {@link #awaitTermination} are safe from
 * any thread; everything else runs on the port's thread.
 */
final class SelectorPort implements BackendPort, Runnable {
    private static final System.Logger LOG = System.getLogger(SelectorPort.class.getName());
    /** Tasks from other threads run per turn at most, so a flood of them cannot starve the sockets. */
    private static final int REMOTE_TASKS_PER_TURN = 1024;

    /** A socket registered with the port: told what it is ready for. Port thread. */
    interface Ready {
        void ready(int readyOps);
    }

    final Selector selector;
    final ReceiveBuffers buffers = new ReceiveBuffers();
    final DatagramScratch datagrams = new DatagramScratch();
    private final PortChannels channels = new PortChannels();
    private final Timer timer;
    private final int index;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> remote = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupSent = new AtomicBoolean();   // one wakeup per wait, whoever sends it
    private final CountDownLatch terminated = new CountDownLatch(1);
    private ArrayDeque<Runnable> local = new ArrayDeque<>();    // the port's own tasks, for the next turn
    private ArrayDeque<Runnable> running = new ArrayDeque<>();  // the turn's tasks while they run
    private final ArrayDeque<Runnable> afterDeregistration = new ArrayDeque<>();   // see closeCancelled
    private volatile boolean waiting;    // the port is in, or about to enter, a blocking select
    private volatile boolean stopping;   // set once by stop()

    SelectorPort(int index, ThreadFactory threads, Timer timer) {
        this.index = index;
        this.timer = timer;
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the selector of port " + index, e);
        }
        thread = threads.newThread(this);
        thread.start();
    }

    /** Registers {@code ch} (non-blocking) with no interest yet; {@code ready} hears of its readiness. */
    SelectionKey register(SelectableChannel ch, Ready ready) throws IOException {
        ch.configureBlocking(false);
        return ch.register(selector, 0, ready);
    }

    /**
     * Closes {@code ch}, whose key was just cancelled, once the selector has deregistered it, and
     * then runs {@code then}. Closed while still registered, a JDK socket channel cannot close its
     * descriptor, so it checks SO_LINGER and shuts its output down first: two system calls per
     * connection that this saves. Port thread.
     */
    void closeCancelled(java.nio.channels.Channel ch, Runnable then) {
        afterDeregistration.add(() -> {
            NioChannels.closeQuietly(ch);
            then.run();
        });
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (Thread.currentThread() == thread) {
            local.add(task);                     // the port is running: it takes it in its next turn
            return;
        }
        remote.add(task);
        if (stopping && remote.remove(task)) {
            throw new RejectedExecutionException(this + " is stopped");   // the loop may be gone: never run
        }
        if (waiting && wakeupSent.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    @Override
    public boolean inPort() {
        return Thread.currentThread() == thread;
    }

    @Override
    public Timer timer() {
        return timer;
    }

    @Override
    public PortChannels channels() {
        return channels;
    }

    @Override
    public void run() {
        try {
            boolean interruptSaid = false;
            while (true) {
                if (Thread.interrupted() && !interruptSaid) {   // a set flag would make every select return at once
                    interruptSaid = true;
                    LOG.log(System.Logger.Level.WARNING, "flowsock: a task interrupted the thread of " + this
                            + "; the interrupt is cleared (a port thread is never interrupted on purpose)");
                }
                runTasks();
                int closing = afterDeregistration.size();    // cancelled before this select: it deregisters them
                boolean more = !local.isEmpty() || !remote.isEmpty() || closing > 0;
                if (stopping && !more) {
                    break;
                }
                if (more) {
                    selector.selectNow(this::dispatch);
                } else {
                    waiting = true;
                    if (remote.isEmpty() && !stopping) {   // re-read after waiting is set: see execute()
                        selector.select(this::dispatch);
                    } else {
                        selector.selectNow(this::dispatch);
                    }
                    waiting = false;
                }
                // after every select, which may have used up a wakeup sent late for an earlier wait:
                // a flag left set would stop every later execute() from waking the port
                wakeupSent.set(false);
                for (int i = 0; i < closing; i++) {
                    guarded(afterDeregistration.poll());
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            stopping = true;
            LOG.log(System.Logger.Level.ERROR, "flowsock: " + this + " failed; its sockets are closed", e);
        } finally {
            for (Runnable close = afterDeregistration.poll(); close != null; close = afterDeregistration.poll()) {
                guarded(close);                          // a failed loop still releases what it closed
            }
            closeAll();
            terminated.countDown();
        }
    }

    /** Runs the tasks queued before this turn: the port's own, then a bounded share of the others. */
    private void runTasks() {
        ArrayDeque<Runnable> turn = local;
        local = running;
        running = turn;
        for (Runnable task = turn.poll(); task != null; task = turn.poll()) {
            guarded(task);
        }
        for (int i = 0; i < REMOTE_TASKS_PER_TURN; i++) {
            Runnable task = remote.poll();
            if (task == null) {
                break;
            }
            guarded(task);
        }
    }

    private void dispatch(SelectionKey key) {
        if (!key.isValid()) {
            return;                             // closed by an earlier socket's completion in this wait
        }
        int ops = key.readyOps();
        Ready ready = (Ready) key.attachment();
        try {
            ready.ready(ops);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: a socket of " + this + " threw on readiness", t);
        }
    }

    private void guarded(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "flowsock: a task of " + this + " threw", t);
        }
    }

    /** Closes what is still registered and the selector: the port's thread is ending. */
    private void closeAll() {
        try {
            for (SelectionKey key : selector.keys()) {
                NioChannels.closeQuietly(key.channel());
            }
        } catch (RuntimeException ignored) {
            // closed meanwhile
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // the thread ends regardless
        }
    }

    /** Ends the port's thread after what it has queued; idempotent. Any thread. */
    @Override
    public void stop() {
        stopping = true;
        selector.wakeup();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    @Override
    public String toString() {
        return "SelectorPort[" + index + "]";
    }
}
