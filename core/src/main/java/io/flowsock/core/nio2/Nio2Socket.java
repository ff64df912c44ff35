package io.flowsock.core.nio2;

import io.flowsock.core.internal.CallbackFailure;
import io.flowsock.core.internal.ReadBuffers;
import io.flowsock.core.internal.ReceiveBuffers;
import io.flowsock.core.spi.ReadCompletion;
import io.flowsock.core.spi.SocketIo;
import io.flowsock.core.spi.WriteCompletion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.TimeUnit;

/**
 * A connected NIO.2 socket driven by the core. One read and one write pending at most, which is
 * also all NIO.2 allows. The completion handlers are shared singletons with the socket as
 * attachment, so posting an operation allocates nothing.
 *
 * <p>Runs only on its port's thread.
 */
final class Nio2Socket implements SocketIo {
    private static final ReadOne READ_ONE = new ReadOne();
    private static final ReadMany READ_MANY = new ReadMany();
    private static final WriteOne WRITE_ONE = new WriteOne();
    private static final WriteMany WRITE_MANY = new WriteMany();

    private final Nio2Port port;
    private final AsynchronousSocketChannel ch;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;

    private final ReadBuffers reads;
    private ByteBuffer[] posted;
    private ReadCompletion readCompletion;
    private WriteCompletion writeCompletion;
    /** Inside a read completion: a read posted now waits until the port's buffers are returned. */
    private boolean inReadCallback;
    private int deferredCount;
    private boolean deferredSmall;
    private boolean closed;

    Nio2Socket(Nio2Port port, AsynchronousSocketChannel ch) throws IOException {
        this.port = port;
        this.ch = ch;
        this.reads = new ReadBuffers(port.buffers);
        this.local = (InetSocketAddress) ch.getLocalAddress();
        this.remote = (InetSocketAddress) ch.getRemoteAddress();
    }

    @Override
    public void read(int count, boolean small, ReadCompletion completion) {
        readCompletion = completion;
        if (inReadCallback) {
            deferredCount = count;
            deferredSmall = small;
            return;
        }
        post(count, small);
    }

    private void post(int count, boolean small) {
        try {
            posted = reads.take(count, small);
        } catch (OutOfMemoryError | RuntimeException e) {   // out of direct memory: fail this connection only
            onReadFailed(e);
            return;
        }
        try {
            if (count == 1) {
                ch.read(posted[0], this, READ_ONE);
            } else {
                ch.read(posted, 0, count, 0L, TimeUnit.MILLISECONDS, this, READ_MANY);
            }
        } catch (RuntimeException e) {          // closed, or a read already pending: report, never throw
            onReadFailed(e);
        }
    }

    /** A completion's callback threw: this connection fails with that error (see {@link CallbackFailure}). */
    private void callbackFailed(Throwable error, boolean reading) {
        CallbackFailure.fail(local, remote, error, reading ? readCompletion::failed : writeCompletion::failed);
    }

    private void onRead(long bytes) {
        try {
            read(bytes);
        } catch (Throwable t) {
            callbackFailed(t, true);
        }
    }

    private void read(long bytes) {
        ReadCompletion c = readCompletion;
        int count = reads.count();
        if (bytes < 0) {
            reads.release();
            c.endOfStream();
            return;
        }
        int filled = reads.flip();
        int size = posted[0].capacity();
        inReadCallback = true;
        try {
            c.completed(posted, filled, count, size, bytes);
        } finally {
            inReadCallback = false;
            reads.release();
        }
        if (deferredCount > 0) {
            int n = deferredCount;
            deferredCount = 0;
            post(n, deferredSmall);
        }
    }

    private void onReadFailed(Throwable error) {
        try {
            reads.release();
            deferredCount = 0;
            readCompletion.failed(error);
        } catch (Throwable t) {
            callbackFailed(t, true);
        }
    }

    private void onWritten(long bytes) {
        try {
            writeCompletion.completed(bytes);
        } catch (Throwable t) {
            callbackFailed(t, false);
        }
    }

    private void onWriteFailed(Throwable error) {
        try {
            writeCompletion.failed(error);
        } catch (Throwable t) {
            callbackFailed(t, false);
        }
    }

    /** NIO.2 reads into the port's direct buffers and lets them go once read: the core may keep them. */
    @Override
    public boolean lendsBuffers() {
        return true;
    }

    @Override
    public void recycle(ByteBuffer buffer) {
        reads.recycle(buffer);
    }

    @Override
    public void write(ByteBuffer[] srcs, int offset, int length, WriteCompletion completion) {
        writeCompletion = completion;
        try {
            if (length == 1) {
                ch.write(srcs[offset], this, WRITE_ONE);
            } else {
                ch.write(srcs, offset, length, 0L, TimeUnit.MILLISECONDS, this, WRITE_MANY);
            }
        } catch (RuntimeException e) {
            completion.failed(e);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        ch.shutdownOutput();
    }

    /** NIO.2 closes at once: a pending operation fails later but touches no buffer after close. */
    @Override
    public void close(boolean reset, Runnable released) {
        close(reset);
        released.run();
    }

    private void close(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (reset) {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | RuntimeException ignored) {
            // already reset by the peer: a plain close is all that is left to do
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // close(2) failing leaves nothing to recover; the descriptor is released either way
        }
    }

    @Override
    public int smallBufferSize() {
        return ReceiveBuffers.SMALL;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    private static final class ReadOne implements CompletionHandler<Integer, Nio2Socket> {
        @Override
        public void completed(Integer n, Nio2Socket s) {
            s.onRead(n);
        }


        @Override
        public void failed(Throwable e, Nio2Socket s) {
            s.onReadFailed(e);
        }
    }

    private static final class ReadMany implements CompletionHandler<Long, Nio2Socket> {
        @Override
        public void completed(Long n, Nio2Socket s) {
            s.onRead(n);
        }

        @Override
        public void failed(Throwable e, Nio2Socket s) {
            s.onReadFailed(e);
        }
    }

    private static final class WriteOne implements CompletionHandler<Integer, Nio2Socket> {
        @Override
        public void completed(Integer n, Nio2Socket s) {
            s.onWritten(n);
        }

        @Override
        public void failed(Throwable e, Nio2Socket s) {
            s.onWriteFailed(e);
        }
    }

    private static final class WriteMany implements CompletionHandler<Long, Nio2Socket> {
        @Override
        public void completed(Long n, Nio2Socket s) {
            s.onWritten(n);
        }

        @Override
        public void failed(Throwable e, Nio2Socket s) {
            s.onWriteFailed(e);
        }
    }
}
