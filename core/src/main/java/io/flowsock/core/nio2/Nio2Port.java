package io.flowsock.core.nio2;

import io.flowsock.core.internal.ReceiveBuffers;
import io.flowsock.core.Channel;
import io.flowsock.core.Timer;
import io.flowsock.core.internal.BackendPort;
import io.flowsock.core.internal.PortChannels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A completion port on NIO.2: one {@link AsynchronousChannelGroup} with a single thread that both
 * waits for completions and runs their handlers, so a connection's completions run in order on
 * one thread with no hand-off. On Windows the group is an I/O completion port itself.
 */
final class Nio2Port implements BackendPort {
    final AsynchronousChannelGroup group;
    final ReceiveBuffers buffers = new ReceiveBuffers();
    final DatagramScratch datagrams = new DatagramScratch();
    private final PortChannels channels = new PortChannels();
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
    public Timer timer() {
        return timer;
    }

    @Override
    public PortChannels channels() {
        return channels;
    }

    /** Closes the group's channels and ends its thread. */
    @Override
    public void stop() {
        try {
            group.shutdownNow();
        } catch (IOException ignored) {
            // the group's channels are closed regardless
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return group.awaitTermination(timeout, unit);
    }

    /** Registers a new channel until it closes. Port thread. */
    Channel adopt(Channel channel) {
        return channels.adopt(channel);
    }

    @Override
    public String toString() {
        return "Nio2Port[" + index + "]";
    }
}
