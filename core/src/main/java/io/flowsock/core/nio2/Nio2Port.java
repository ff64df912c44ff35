package io.flowsock.core.nio2;

import io.flowsock.core.Cancellable;
import io.flowsock.core.Channel;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A completion port on NIO.2: one {@link AsynchronousChannelGroup} with a single thread that both
 * waits for completions and runs their handlers, so a connection's completions run in order on
 * one thread with no hand-off. On Windows the group is an I/O completion port itself.
 */
final class Nio2Port implements CompletionPort {
    final AsynchronousChannelGroup group;
    final ReceiveBuffers buffers = new ReceiveBuffers();
    /** Open channels on this port, so closing the transport can answer each one. Port thread only. */
    private final Set<Channel> channels = new HashSet<>();
    private final Executor executor;
    private final Timer timer;
    private final int index;
    private volatile Thread thread;   // written once by the group's thread factory, read by inPort()

    Nio2Port(int index, ThreadFactory threads, Timer timer) {
        this.index = index;
        this.timer = timer;
        try {
            group = AsynchronousChannelGroup.withFixedThreadPool(1, r -> {
                Thread t = threads.newThread(r);
                thread = t;
                return t;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create NIO.2 completion port " + index, e);
        }
        // OpenJDK's groups run tasks on their own threads through Executor; with a one-thread
        // fixed pool that is this port's thread, which is what execute() must guarantee.
        if (!(group instanceof Executor e)) {
            try {
                group.shutdownNow();
            } catch (IOException ignored) {
                // failing anyway
            }
            throw new UnsupportedOperationException("this JDK's AsynchronousChannelGroup ("
                    + group.getClass().getName() + ") cannot run tasks on its thread; flowsock's nio2 backend needs it");
        }
        executor = e;
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(Objects.requireNonNull(task, "task"));
    }

    @Override
    public boolean inPort() {
        return Thread.currentThread() == thread;
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");   // else it would fail later, on the timer's thread
        return timer.schedule(() -> {
            try {
                execute(task);
            } catch (RejectedExecutionException closed) {
                // the transport was closed: its connections are gone, so is the task's reason
            }
        }, delay, unit);
    }

    @Override
    public Timer timer() {
        return timer;
    }

    @Override
    public int index() {
        return index;
    }

    /** Registers a new channel until it closes. Port thread. */
    Channel adopt(Channel channel) {
        channels.add(channel);
        channel.onClose().whenComplete((v, e) -> channels.remove(channel));   // completes on this thread
        return channel;
    }

    /** Closes every open channel of this port at once. Port thread. */
    void disposeChannels() {
        for (Channel c : List.copyOf(channels)) {
            c.dispose();
        }
    }

    /** Runs {@code task} on the port and waits for it, or returns false if the port is gone or slow. */
    boolean runAndWait(Runnable task, long timeout, TimeUnit unit) {
        CountDownLatch done = new CountDownLatch(1);
        try {
            execute(() -> {
                try {
                    task.run();
                } finally {
                    done.countDown();
                }
            });
            return done.await(timeout, unit);
        } catch (RejectedExecutionException closed) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return "Nio2Port[" + index + "]";
    }
}
