package io.flowsock.core.selector;

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
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A connected socket on a {@link SelectorPort}: the core's posted read and write, performed when
 * the socket is ready for them and completed on the port's thread.
 *
 * <p>What makes it cheaper than NIO.2 on Linux:
 * <ul>
 *   <li>Interest in readability stays registered while reads keep being posted, and is dropped
 *       only when the socket turns out ready with no read posted; writability is registered only
 *       while a write waits for room. A request-response connection changes its epoll registration
 *       never, where NIO.2 re-arms a one-shot registration for every read.</li>
 *   <li>A read is tried at once only when the last one filled every buffer it was given or
 *       brought a bulk transfer's worth ({@link #BULK}): more is likely waiting. Otherwise it
 *       waits for readiness, so a request-response connection never reads to find nothing.</li>
 *   <li>Receive buffers are taken when the socket is readable, not when the read is posted: a
 *       connection waiting for its next message holds no receive memory at all.</li>
 * </ul>
 * A completion that posts the next operation does not recurse: the operation is taken up when the
 * completion returns, and a socket performs at most {@link #TURNS} reads or writes in a row before
 * the port looks at its other sockets again.
 *
 * <p>Runs only on its port's thread.
 */
final class SelectorSocket implements SocketIo, SelectorPort.Ready {
    /** Reads, or writes, a socket performs in a row before others get their turn. */
    private static final int TURNS = 16;
    /**
     * A read of at least this much is a bulk transfer, whose next read is tried at once: the peer
     * is likely still sending, and a read that finds data costs one system call where waiting for
     * readiness costs two. A 1 GiB HTTP upload ran at 0.77× nio2's rate without this; with it the
     * server made 26,499 system calls per GiB against nio2's 30,968 (perf, one round).
     */
    private static final long BULK = 16 * 1024;

    private final SelectorPort port;
    private final SocketChannel ch;
    private final SelectionKey key;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private int interest;                  // the key's interest ops, as last set

    private final ReadBuffers reads;       // the buffers of the read being performed
    private ReadCompletion readCompletion;
    private int readCount;                 // buffers the posted read may fill; 0: no read posted
    private boolean readSmall;
    private boolean readAgain;             // the last read filled every buffer: read the next at once
    private boolean inReadCallback;

    private ByteBuffer[] writeSrcs;
    private int writeOffset;
    private int writeLength;               // 0: no write posted
    private WriteCompletion writeCompletion;
    private boolean writeFull;             // the last write was short: the next waits for room
    private boolean inWriteCallback;
    private boolean closed;

    /** Takes over {@code key} (already registered with the port) for a connected socket. */
    SelectorSocket(SelectorPort port, SocketChannel ch, SelectionKey key, boolean dataLikely) throws IOException {
        this.port = port;
        this.ch = ch;
        this.key = key;
        this.reads = new ReadBuffers(port.buffers);
        this.local = (InetSocketAddress) ch.getLocalAddress();
        this.remote = (InetSocketAddress) ch.getRemoteAddress();
        this.readAgain = dataLikely;
        this.interest = key.interestOps();
        key.attach(this);
    }

    @Override
    public void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            if (readCount > 0) {
                performReads();
            } else {
                drop(SelectionKey.OP_READ);        // readable with nothing posted: the consumer paused
            }
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && !closed) {
            writeFull = false;
            if (writeLength > 0) {
                performWrites();
            } else {
                drop(SelectionKey.OP_WRITE);
            }
        }
    }

    @Override
    public void read(int count, boolean small, ReadCompletion completion) {
        readCompletion = completion;
        readCount = count;
        readSmall = small;
        if (inReadCallback || closed) {
            return;                                // taken up when the completion returns
        }
        if (readAgain) {
            performReads();
        } else {
            want(SelectionKey.OP_READ);
        }
    }

    /** Performs the posted read, and those its completions post, while data keeps coming. */
    private void performReads() {
        for (int turn = 0; turn < TURNS; turn++) {
            if (!readOnce() || closed) {
                return;
            }
            if (readCount == 0) {
                return;                            // nothing posted: interest stays until readiness finds none
            }
            if (!readAgain) {
                want(SelectionKey.OP_READ);
                return;
            }
        }
        want(SelectionKey.OP_READ);                // level-triggered: ready again in the next wait
    }

    /** One read into fresh port buffers; false when it found nothing or ended the input. */
    private boolean readOnce() {
        int count = readCount;
        ByteBuffer[] posted;
        long n;
        try {
            posted = reads.take(count, readSmall);
            n = count == 1 ? ch.read(posted[0]) : ch.read(posted, 0, count);
        } catch (IOException | OutOfMemoryError | RuntimeException e) {  // reset, or out of direct memory
            reads.release();
            readCount = 0;
            readAgain = false;
            drop(SelectionKey.OP_READ);
            try {
                readCompletion.failed(e);
            } catch (Throwable t) {
                callbackFailed(t, true);
            }
            return false;
        }
        if (n == 0) {
            reads.release();
            readAgain = false;
            want(SelectionKey.OP_READ);
            return false;
        }
        readCount = 0;
        ReadCompletion c = readCompletion;
        if (n < 0) {
            reads.release();
            readAgain = false;
            drop(SelectionKey.OP_READ);
            try {
                c.endOfStream();
            } catch (Throwable t) {
                callbackFailed(t, true);
            }
            return false;
        }
        int filled = reads.flip();
        int size = posted[0].capacity();
        readAgain = n == (long) count * size || n >= BULK;
        inReadCallback = true;
        try {
            c.completed(posted, filled, count, size, n);
        } catch (Throwable t) {
            callbackFailed(t, true);
        } finally {
            inReadCallback = false;
            reads.release();
        }
        return true;
    }

    /** The port's direct buffers: the core may keep one a completion was given, and give it back. */
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
        writeSrcs = srcs;
        writeOffset = offset;
        writeLength = length;
        writeCompletion = completion;
        if (inWriteCallback || closed) {
            return;                                // taken up when the completion returns
        }
        if (writeFull) {
            want(SelectionKey.OP_WRITE);
        } else {
            performWrites();
        }
    }

    /** Performs the posted write, and those its completions post, while the socket takes them. */
    private void performWrites() {
        for (int turn = 0; turn < TURNS; turn++) {
            ByteBuffer last = writeSrcs[writeOffset + writeLength - 1];
            long n;
            try {
                n = writeLength == 1 ? ch.write(last) : ch.write(writeSrcs, writeOffset, writeLength);
            } catch (IOException | OutOfMemoryError | RuntimeException e) {   // the JDK stages heap buffers in direct memory
                writeLength = 0;
                drop(SelectionKey.OP_WRITE);
                try {
                    writeCompletion.failed(e);
                } catch (Throwable t) {
                    callbackFailed(t, false);
                }
                return;
            }
            if (n == 0) {
                writeFull = true;
                want(SelectionKey.OP_WRITE);
                return;
            }
            writeFull = last.hasRemaining();
            writeLength = 0;
            inWriteCallback = true;
            try {
                writeCompletion.completed(n);
            } catch (Throwable t) {
                callbackFailed(t, false);
            } finally {
                inWriteCallback = false;
            }
            if (closed) {
                return;
            }
            if (writeLength == 0) {
                drop(SelectionKey.OP_WRITE);
                return;
            }
            if (writeFull) {
                want(SelectionKey.OP_WRITE);
                return;
            }
        }
        want(SelectionKey.OP_WRITE);               // level-triggered: ready again in the next wait
    }

    private void want(int op) {
        if ((interest & op) == 0 && !closed) {
            interest |= op;
            key.interestOps(interest);
        }
    }

    private void drop(int op) {
        if ((interest & op) != 0 && !closed) {
            interest &= ~op;
            key.interestOps(interest);
        }
    }

    private void callbackFailed(Throwable error, boolean reading) {
        CallbackFailure.fail(local, remote, error, reading ? readCompletion::failed : writeCompletion::failed);
    }

    @Override
    public void shutdownOutput() throws IOException {
        ch.shutdownOutput();
    }

    /**
     * Cancels the key, so nothing is performed on the socket any more and no buffer is touched
     * after this returns; the descriptor is closed, and {@code released} runs, after the port's
     * next select (see {@link SelectorPort#closeCancelled}).
     */
    @Override
    public void close(boolean reset, Runnable released) {
        if (closed) {
            released.run();
            return;
        }
        closed = true;
        readCount = 0;
        writeLength = 0;
        writeSrcs = null;
        key.cancel();
        if (reset) {
            try {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException ignored) {
                // already reset by the peer: a plain close is all that is left to do
            }
        }
        port.closeCancelled(ch, released);
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
}
