package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.Channel;
import java.nio.channels.CompletionHandler;

/**
 * One connection of the plain NIO.2 server: a read or a write is pending at any time, never
 * both, so every behaviour is a short chain of completions ending in close at the client's FIN.
 * Runs on whichever group thread delivers its completion; the chain makes them happen-before one
 * another, so no field needs to be volatile.
 *
 * <p>Buffers: discard reads into 64 KiB of direct memory (the JDK then copies nothing); echo
 * holds 16 KiB of heap per connection, the plain way to keep one read posted on each of many
 * connections; hello and greet hold 64 bytes.
 */
final class Nio2Connection {
    private final AsynchronousSocketChannel ch;
    private final Behaviour behaviour;
    private final ByteBuffer buf;
    private final HelloMatcher matcher = new HelloMatcher();
    private final Runnable onClosed;
    private ByteBuffer out;
    private boolean closed;

    private final CompletionHandler<Integer, Void> onRead = new CompletionHandler<>() {
        @Override
        public void completed(Integer n, Void attachment) {
            readDone(n);
        }

        @Override
        public void failed(Throwable error, Void attachment) {
            close();
        }
    };

    private final CompletionHandler<Integer, Void> onWrite = new CompletionHandler<>() {
        @Override
        public void completed(Integer n, Void attachment) {
            writeDone();
        }

        @Override
        public void failed(Throwable error, Void attachment) {
            close();
        }
    };

    Nio2Connection(AsynchronousSocketChannel ch, Behaviour behaviour, Runnable onClosed) {
        this.ch = ch;
        this.behaviour = behaviour;
        this.onClosed = onClosed;
        this.buf = switch (behaviour) {
            case DISCARD -> ByteBuffer.allocateDirect(64 * 1024);
            case ECHO -> ByteBuffer.allocate(16 * 1024);
            case HELLO, GREET -> ByteBuffer.allocate(64);
            case HTTP -> throw new IllegalArgumentException("HTTP is served by HttpRoutes");
            case UDP_ECHO -> throw new IllegalArgumentException("UDP is served by UdpEchoServers");
            case WEBFLUX -> throw new IllegalArgumentException("WebFlux is served by benchmarks-spring");
        };
    }

    void start() {
        if (behaviour == Behaviour.GREET) {
            write(ByteBuffer.wrap(new byte[] {Protocol.GREETING}));
        } else {
            read();
        }
    }

    private void read() {
        ch.read(buf, null, onRead);
    }

    private void readDone(int n) {
        if (n < 0) {   // the client's FIN: every reply was written before this read was posted
            close();
            return;
        }
        switch (behaviour) {
            case ECHO -> {
                buf.flip();
                write(buf);
            }
            case HELLO -> {
                buf.flip();
                boolean complete = false;
                try {
                    while (buf.hasRemaining()) {
                        complete |= matcher.add(buf.get());
                    }
                } catch (IllegalStateException e) {
                    System.err.println("jdk-nio2: " + e.getMessage());
                    close();
                    return;
                }
                buf.clear();
                if (complete) {
                    write(ByteBuffer.wrap(Protocol.HELLO_BACK));
                } else {
                    read();
                }
            }
            case DISCARD, GREET -> {
                buf.clear();
                read();
            }
        }
    }

    private void write(ByteBuffer data) {
        out = data;
        ch.write(out, null, onWrite);
    }

    private void writeDone() {
        if (out.hasRemaining()) {
            ch.write(out, null, onWrite);
            return;
        }
        buf.clear();
        read();
    }

    private void close() {
        if (!closed) {
            closed = true;
            closeQuietly(ch);
            onClosed.run();
        }
    }

    static void closeQuietly(Channel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing after an error or at the peer's FIN; nothing left to tell anyone
        }
    }
}
