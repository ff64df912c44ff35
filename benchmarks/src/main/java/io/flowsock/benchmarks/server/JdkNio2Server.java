package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The floor: a plain {@link AsynchronousServerSocketChannel} server with no library in between,
 * one fixed group of one thread per processor. The accept is re-posted first thing in its
 * completion, like flowsock's nio2 backend does.
 */
final class JdkNio2Server implements BenchServer {
    private final AsynchronousChannelGroup group;
    private final AsynchronousServerSocketChannel listener;
    private final int threads;
    private final AtomicInteger open;   // group threads count up and down; read by the main thread

    private JdkNio2Server(AsynchronousChannelGroup group, AsynchronousServerSocketChannel listener, int threads,
                          AtomicInteger open) {
        this.group = group;
        this.listener = listener;
        this.threads = threads;
        this.open = open;
    }

    static JdkNio2Server start(Behaviour behaviour, int port) throws IOException {
        int threads = Runtime.getRuntime().availableProcessors();
        AsynchronousChannelGroup group = AsynchronousChannelGroup.withFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "jdk-nio2");
            t.setDaemon(true);
            return t;
        });
        AsynchronousServerSocketChannel listener = AsynchronousServerSocketChannel.open(group);
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        listener.bind(new InetSocketAddress(Protocol.HOST, port), 1024);
        AtomicInteger open = new AtomicInteger();
        listener.accept(null, new Acceptor(listener, behaviour, open));
        return new JdkNio2Server(group, listener, threads, open);
    }

    /** Re-posts itself before handling the accepted channel. Runs on a group thread. */
    private record Acceptor(AsynchronousServerSocketChannel listener, Behaviour behaviour, AtomicInteger open)
            implements CompletionHandler<AsynchronousSocketChannel, Void> {
        @Override
        public void completed(AsynchronousSocketChannel ch, Void attachment) {
            listener.accept(null, this);
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                Nio2Connection.closeQuietly(ch);
                return;
            }
            open.incrementAndGet();
            new Nio2Connection(ch, behaviour, open::decrementAndGet).start();
        }

        @Override
        public void failed(Throwable error, Void attachment) {
            if (listener.isOpen()) {
                System.err.println("jdk-nio2: accept failed: " + error);
                listener.accept(null, this);
            }
        }
    }

    @Override
    public String describe() {
        try {
            return "jdk-nio2 group-threads=" + threads + " address=" + listener.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int connections() {
        return open.get();
    }

    @Override
    public void close() {
        Nio2Connection.closeQuietly(listener);
        try {
            group.shutdownNow();
            group.awaitTermination(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
