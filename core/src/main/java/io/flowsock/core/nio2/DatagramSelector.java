package io.flowsock.core.nio2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * NIO.2 has no asynchronous datagram channel, so the nio2 backend's datagram sockets are
 * non-blocking {@code DatagramChannel}s whose readiness this one thread per transport waits for.
 * It only waits: a socket that is ready is handed to its port thread with {@code execute}, and the
 * port does the receives and sends itself. Interest is one-shot: a ready operation is taken out of
 * the interest set before the hand-over, and the port arms it again when a receive or send found
 * nothing to do. The thread also reads the kernel's drop counts for its sockets (a file read, which
 * must not happen on a port thread) at most four times a second. It ends when its last socket
 * closes (the transport makes a new one for the next socket), so a transport that lives for good,
 * the shared one, keeps no idle thread.
 *
 * <p><b>Threading.</b> {@link #arm}, {@link #register} and {@link #close} are safe from any thread;
 * every selector operation runs on this class's own thread, which is not a completion port thread.
 */
final class DatagramSelector implements Runnable {
    private static final long DROPS_EVERY_NANOS = 250_000_000L;

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> changes = new ConcurrentLinkedQueue<>();
    private final Set<Nio2Datagram> sockets = ConcurrentHashMap.newKeySet();   // open ones, for the drop counts
    private final ProcNetUdp drops = new ProcNetUdp();
    private volatile boolean stopped;   // written once by close() or the last leave(), read by the selector thread
    /** Sockets that entered and have not left; -1 once retired (no socket may enter any more). */
    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger();

    DatagramSelector(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the selector for datagram sockets", e);
        }
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Takes one more socket, or false once this selector retired; the caller then makes a new one. */
    boolean enter() {
        for (;;) {
            int n = users.get();
            if (n < 0) {
                return false;
            }
            if (users.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Watches {@code socket}, which {@link #enter() entered}, from now on (no interest yet) and counts its drops. */
    void register(Nio2Datagram socket) {
        sockets.add(socket);
        submit(() -> {
            try {
                socket.channel.register(selector, 0, socket);
            } catch (ClosedChannelException e) {
                sockets.remove(socket);
            }
            drops.refresh(sockets);
        });
    }

    /** Tells {@code socket}'s port once it is ready for {@code op} ({@link SelectionKey#OP_READ} or OP_WRITE). */
    void arm(Nio2Datagram socket, int op) {
        submit(() -> {
            SelectionKey key = socket.channel.keyFor(selector);
            try {
                if (key != null && key.isValid()) {
                    key.interestOps(key.interestOps() | op);
                }
            } catch (CancelledKeyException closed) {
                // the socket closed meanwhile
            }
        });
    }

    /**
     * Forgets a socket that closed; its key was cancelled by the close, the next select frees its
     * descriptor. The last one to leave retires the thread.
     */
    void closed(Nio2Datagram socket) {
        sockets.remove(socket);
        leave();
    }

    /** One socket that entered is gone (closed, or never made). */
    void leave() {
        if (users.decrementAndGet() == 0 && users.compareAndSet(0, -1)) {
            stopped = true;
        }
        selector.wakeup();
    }

    private void submit(Runnable change) {
        changes.add(change);
        selector.wakeup();
    }

    @Override
    public void run() {
        long lastDrops = System.nanoTime();
        Throwable failure = null;
        try {
            while (!stopped) {
                selector.select(250);
                Runnable change;
                while ((change = changes.poll()) != null) {
                    guarded(change);
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    guarded(() -> handOver(key));
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                if (now - lastDrops >= DROPS_EVERY_NANOS && !sockets.isEmpty()) {
                    lastDrops = now;
                    guarded(() -> drops.refresh(sockets));
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            System.getLogger(DatagramSelector.class.getName()).log(System.Logger.Level.ERROR,
                    "flowsock: the nio2 datagram selector failed; its datagram sockets' receives and sends fail", e);
        } finally {
            users.set(-1);
            if (failure != null) {
                for (Nio2Datagram socket : sockets) {   // nothing would ever tell them they are ready again
                    socket.selectorFailed(failure);
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Runs one change or hand-over: one that throws is logged, and the thread goes on for the rest. */
    private static void guarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            System.getLogger(DatagramSelector.class.getName()).log(System.Logger.Level.WARNING,
                    "flowsock: a step of the nio2 datagram selector failed; it goes on", e);
        }
    }

    private static void handOver(SelectionKey key) {
        try {
            int ready = key.readyOps();
            key.interestOps(key.interestOps() & ~ready);
            ((Nio2Datagram) key.attachment()).ready(ready);
        } catch (CancelledKeyException closed) {
            // the socket closed after it was selected
        }
    }

    /** Ends the thread soon; the transport's ports have closed every socket by now. Never blocks. */
    void close() {
        stopped = true;
        selector.wakeup();
    }

    /** Waits a while for the thread to end after {@link #close()}. Not on a port thread. */
    void awaitEnd() {
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
