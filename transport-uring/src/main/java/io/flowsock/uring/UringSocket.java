package io.flowsock.uring;

import io.flowsock.core.spi.ReadCompletion;
import io.flowsock.core.spi.SocketIo;
import io.flowsock.core.spi.WriteCompletion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.IntConsumer;

/**
 * A TCP socket on an io_uring port, driven by the core.
 *
 * <p><b>Reads.</b> On ABD's small rung (a connection waiting for its next message) a multishot
 * receive picks small buffers from the port's provided-buffer ring and stays armed from one read
 * to the next, so a request/response connection arms nothing per message. What it receives while
 * no read is posted is parked, oldest first, for the next read, and the receive is cancelled at
 * once: no demand, no reading, nothing lost. A read of one large buffer is one receive from the
 * large ring (continued while the kernel says more is queued and the read has room); a read of
 * several scatters into that many of the port's own buffers with one recvmsg, which can be capped
 * exactly. Buffers go back once the core has copied them out. Two receives are never armed at
 * once. A ring found empty (ENOBUFS) is retried when buffers come back, without failing the
 * connection.
 *
 * <p><b>Writes.</b> One {@code sendmsg} in flight, gathering up to {@link WriteBlock#MAX_IOV}
 * buffers: direct ones by address, heap ones staged into the block's native memory. A short send
 * advances the buffers by what was sent and the core posts the rest.
 *
 * <p><b>Close.</b> Cancels what is posted; the descriptor is closed, and the socket forgotten by
 * the port, only after the last operation's final completion.
 *
 * <p>Runs only on its port's thread.
 */
final class UringSocket implements SocketIo, UringPort.Completion {
    static final int OP_RECV = 1;
    static final int OP_SEND = 2;
    static final int OP_CONNECT = 3;
    static final int OP_RECV_MULTI = 4;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final ByteBuffer[] NONE = new ByteBuffer[0];

    private final UringPort port;
    final int fd;
    private final int id;
    private InetSocketAddress local;
    private InetSocketAddress remote;
    private int inflight;
    private boolean closed;
    private boolean released;               // the descriptor is closed and the id given back: once

    // the read being served
    private ReadCompletion reader;
    private int readCount;
    private boolean readSmall;
    private int held;
    private int[] heldIds = new int[1];
    private int[] heldLengths = new int[1];
    private long heldBytes;
    private ByteBuffer[] views = NONE;
    private boolean endSeen;
    private int scattered;                   // buffers of the scattering receive in flight, or 0
    private WriteBlock scatterBlock;
    private int[] scatterIds;
    // the small rung's multishot receive and what it received while no read was posted
    private boolean streaming;               // armed, until its final completion
    private boolean stopping;                // its cancel was asked for
    private int[] parkedIds = new int[4];
    private int[] parkedLengths = new int[4];
    private int parkedHead;
    private int parkedCount;
    private IOException readError;           // seen after data that was delivered first: the next read gets it

    // the write in flight
    private WriteCompletion writer;
    private WriteBlock sendBlock;
    private ByteBuffer[] sendSrcs;
    private int sendOffset;
    private int sendLength;

    // the connect in flight
    private WriteBlock connectBlock;
    private IntConsumer connected;

    UringSocket(UringPort port, int fd) {
        this.port = port;
        this.fd = fd;
        this.id = port.register(this);
    }

    /** Reads both addresses from the kernel; before the socket goes to a channel. */
    UringSocket addresses() {
        return addresses(null);
    }

    /**
     * Reads the peer's address from the kernel, and the local one too unless {@code knownLocal}
     * gives it (an accepted socket of a listener bound to one address has that address).
     */
    UringSocket addresses(InetSocketAddress knownLocal) {
        MemorySegment addr = port.scratch;
        MemorySegment len = port.scratch.asSlice(SockAddr.SIZE + 4, 4);
        if (knownLocal != null) {
            local = knownLocal;
        } else {
            len.set(ValueLayout.JAVA_INT, 0, SockAddr.SIZE);
            Native.sockname(port.state, fd, false, addr, len);
            local = SockAddr.read(addr);
        }
        len.set(ValueLayout.JAVA_INT, 0, SockAddr.SIZE);
        Native.sockname(port.state, fd, true, addr, len);
        remote = SockAddr.read(addr);
        return this;
    }

    // ------------------------------------------------------------------ connect

    /** Posts a connect to {@code to}; {@code done} gets 0 or {@code -errno}, unless the socket was closed first. */
    void connect(InetSocketAddress to, IntConsumer done) {
        connectBlock = port.takeBlock(false);
        int len = SockAddr.write(to, connectBlock.staging);
        connected = done;
        port.sqe(Ring.OP_CONNECT, fd, connectBlock.staging.address(), 0, len, id, OP_CONNECT);
        inflight++;
    }

    // ------------------------------------------------------------------ read

    @Override
    public void read(int count, boolean small, ReadCompletion completion) {
        if (closed) {
            return;
        }
        reader = completion;
        readCount = count;
        readSmall = small;
        if (heldIds.length < count) {
            heldIds = new int[count];
            heldLengths = new int[count];
        }
        if (parkedCount > 0) {
            port.execute(this::deliverParked);   // after read() returns, like any other completion
            return;
        }
        if (endSeen || readError != null) {
            port.execute(this::answerEnd);
            return;
        }
        arm();
    }

    /**
     * Posts what the current read needs. On the small rung that is a multishot receive, which stays
     * armed from one small read to the next; anything else waits until a multishot's final
     * completion, so two receives are never armed at once and bytes keep their order.
     */
    private void arm() {
        if (streaming) {
            if (!readSmall) {
                stopStreaming();
            }
            return;
        }
        if (readSmall) {
            long at = port.sqe(Ring.OP_RECV, fd, 0, 0, 0, id, OP_RECV_MULTI);
            port.ring.flags(at, Ring.SQE_BUFFER_SELECT);
            port.ring.bufGroup(at, port.small.group);
            port.ring.ioprio(at, Ring.RECV_MULTISHOT);
            inflight++;
            streaming = true;
            return;
        }
        postReceive();
    }

    private void stopStreaming() {
        if (streaming && !stopping) {
            stopping = true;
            port.cancel(((long) id << 8) | OP_RECV_MULTI);
        }
    }

    /**
     * One completion of the multishot receive: a small buffer for the posted read, or parked for
     * the next one when there is none (and then the receive is stopped: no demand, no reading).
     */
    private void onStream(int res, int flags) {
        boolean last = (flags & Ring.CQE_F_MORE) == 0;
        if (res > 0) {
            int bid = flags >>> 16;
            if (closed) {
                port.small.recycle(bid);
            } else if (reader != null && parkedCount == 0) {
                heldIds[0] = bid;
                heldLengths[0] = res;
                held = 1;
                heldBytes = res;
                deliver(port.small, heldIds, readCount);
            } else {
                park(bid, res);
            }
            if (!closed && !last && (reader == null || !readSmall)) {
                stopStreaming();
            }
        }
        if (!last) {
            return;
        }
        streaming = false;
        stopping = false;
        if (closed) {
            return;
        }
        if (res == 0) {
            endSeen = true;
        } else if (res < 0 && res != -Errno.ECANCELED && res != -Errno.ENOBUFS) {
            readError = Errno.exception("recv", -res);
        }
        if (reader == null) {
            return;
        }
        if (parkedCount > 0) {
            deliverParked();
        } else if (endSeen || readError != null) {
            answerEnd();
        } else if (res == -Errno.ENOBUFS) {
            port.starved(this);
        } else {
            arm();
        }
    }

    private void park(int bid, int length) {
        if (parkedCount == parkedIds.length) {
            int[] ids = new int[parkedCount * 2];
            int[] lengths = new int[parkedCount * 2];
            for (int i = 0; i < parkedCount; i++) {
                ids[i] = parkedIds[(parkedHead + i) % parkedIds.length];
                lengths[i] = parkedLengths[(parkedHead + i) % parkedIds.length];
            }
            parkedIds = ids;
            parkedLengths = lengths;
            parkedHead = 0;
        }
        int at = (parkedHead + parkedCount) % parkedIds.length;
        parkedIds[at] = bid;
        parkedLengths[at] = length;
        parkedCount++;
    }

    /** Hands parked small buffers, oldest first, to the posted read. */
    private void deliverParked() {
        if (closed || reader == null || parkedCount == 0) {
            return;
        }
        int n = Math.min(parkedCount, readCount);
        heldBytes = 0;
        for (int i = 0; i < n; i++) {
            heldIds[i] = parkedIds[parkedHead];
            heldLengths[i] = parkedLengths[parkedHead];
            heldBytes += heldLengths[i];
            parkedHead = (parkedHead + 1) % parkedIds.length;
        }
        parkedCount -= n;
        held = n;
        deliver(port.small, heldIds, readCount);
    }

    /**
     * A read of one buffer receives into a provided buffer, picked when data arrives; a read of
     * several scatters into that many of the port's own buffers with one recvmsg.
     */
    private void postReceive() {
        if (!readSmall && readCount > 1 && held == 0) {
            postScatter();
            return;
        }
        BufferRing ring = port.buffers(readSmall);
        long at = port.sqe(Ring.OP_RECV, fd, 0, 0, 0, id, OP_RECV);
        port.ring.flags(at, Ring.SQE_BUFFER_SELECT);
        port.ring.bufGroup(at, ring.group);
        inflight++;
    }

    private void postScatter() {
        scattered = readCount;
        if (scatterIds == null || scatterIds.length < scattered) {
            scatterIds = new int[scattered];
        }
        scatterBlock = port.takeBlock(false);
        for (int i = 0; i < scattered; i++) {
            scatterIds[i] = port.scatter.take();
        }
        MemorySegment msg = scatterBlock.scatter(port.scatter, scatterIds, scattered);
        port.sqe(Ring.OP_RECVMSG, fd, msg.address(), 1, 0, id, OP_RECV);
        inflight++;
    }

    /** A scattering receive completed: its buffers go to the core, then all back to the port. */
    private void onScatter(int res) {
        int n = scattered;
        int[] ids = scatterIds;
        scattered = 0;
        scatterIds = null;                   // a read posted inside the completion takes a fresh array
        port.releaseBlock(scatterBlock);
        scatterBlock = null;
        int filled = closed || res <= 0 ? 0 : (res + ScatterBuffers.SIZE - 1) / ScatterBuffers.SIZE;
        try {
            if (filled > 0) {
                for (int i = 0; i < filled; i++) {
                    heldLengths[i] = Math.min(ScatterBuffers.SIZE, res - i * ScatterBuffers.SIZE);
                }
                held = filled;
                heldBytes = res;
                deliver(null, ids, n);           // gives back the filled ones
            }
        } finally {
            for (int i = filled; i < n; i++) {
                port.scatter.release(ids[i]);
            }
            if (scatterIds == null) {
                scatterIds = ids;
            }
        }
        if (closed || filled > 0) {
            return;
        }
        if (res == 0) {
            endSeen = true;
            answerEnd();
        } else if (res == -Errno.EINTR || res == -Errno.EAGAIN) {
            postReceive();
        } else {
            readError = Errno.exception("recvmsg", -res);
            answerEnd();
        }
    }

    /** The buffer ring had room again after ENOBUFS. */
    void retryReceive() {
        if (!closed && reader != null) {
            if (held > 0 || scattered > 0) {
                postReceive();
            } else {
                arm();
            }
        }
    }

    private void onReceive(int res, int flags) {
        if (scattered > 0) {
            onScatter(res);
            return;
        }
        BufferRing ring = port.buffers(readSmall);
        if (closed) {
            if ((flags & Ring.CQE_F_BUFFER) != 0) {
                ring.recycle(flags >>> 16);
            }
            return;
        }
        if (res > 0) {
            heldIds[held] = flags >>> 16;
            heldLengths[held] = res;
            held++;
            heldBytes += res;
            if (held < readCount && res == ring.size && (flags & Ring.CQE_F_SOCK_NONEMPTY) != 0) {
                postReceive();                 // more is waiting and the read has room: take it in this read
            } else {
                deliver(ring, heldIds, readCount);
            }
        } else if (res == 0) {
            endSeen = true;
            if (held > 0) {
                deliver(ring, heldIds, readCount);
            } else {
                answerEnd();
            }
        } else if (res == -Errno.ENOBUFS) {
            if (held > 0) {
                deliver(ring, heldIds, readCount);
            } else {
                port.starved(this);
            }
        } else if (res == -Errno.EINTR || res == -Errno.EAGAIN) {
            postReceive();
        } else {
            readError = Errno.exception("recv", -res);
            if (held > 0) {
                deliver(ring, heldIds, readCount);
            } else {
                answerEnd();
            }
        }
    }

    /**
     * Hands the held buffers to the core in one completion, then gives them back: to {@code ring},
     * or to the port's scatter buffers when {@code ring} is null.
     */
    private void deliver(BufferRing ring, int[] ids, int posted) {
        int n = held;
        if (views.length < n) {
            views = new ByteBuffer[Math.max(n, readCount)];
        }
        for (int i = 0; i < n; i++) {
            views[i] = ring != null ? ring.view(ids[i], heldLengths[i]) : port.scatter.view(ids[i], heldLengths[i]);
        }
        ReadCompletion c = reader;
        long bytes = heldBytes;                // ids: the next read, posted inside completed(), may grow heldIds
        ByteBuffer[] filled = views;
        reader = null;
        held = 0;
        heldBytes = 0;
        try {
            c.completed(filled, n, posted, ring != null ? ring.size : ScatterBuffers.SIZE, bytes);
        } finally {
            for (int i = 0; i < n; i++) {
                filled[i] = null;
                if (ring != null) {
                    ring.recycle(ids[i]);
                } else {
                    port.scatter.release(ids[i]);
                }
            }
            port.buffersReturned();
        }
    }

    /** End of stream or a read error, for the read now posted. */
    private void answerEnd() {
        ReadCompletion c = reader;
        if (closed || c == null) {
            return;
        }
        reader = null;
        if (readError != null) {
            c.failed(readError);
        } else {
            c.endOfStream();
        }
    }

    // ------------------------------------------------------------------ write

    @Override
    public void write(ByteBuffer[] srcs, int offset, int length, WriteCompletion completion) {
        if (closed) {
            return;
        }
        writer = completion;
        sendSrcs = srcs;
        sendOffset = offset;
        sendLength = length;
        sendBlock = port.takeBlock(
                WriteBlock.heapBytes(srcs, offset, length, WriteBlock.SMALL_STAGING) > WriteBlock.SMALL_STAGING);
        MemorySegment msg = sendBlock.gather(srcs, offset, length);
        long at = port.sqe(Ring.OP_SENDMSG, fd, msg.address(), 1, 0, id, OP_SEND);
        port.ring.opFlags(at, MSG_NOSIGNAL);
        inflight++;
    }

    private void onSend(int res) {
        port.releaseBlock(sendBlock);
        sendBlock = null;
        ByteBuffer[] srcs = sendSrcs;
        sendSrcs = null;
        WriteCompletion c = writer;
        writer = null;
        if (closed || c == null) {
            return;
        }
        if (res < 0) {
            c.failed(Errno.exception("sendmsg", -res));
            return;
        }
        long left = res;
        for (int i = sendOffset; i < sendOffset + sendLength && left > 0; i++) {
            ByteBuffer b = srcs[i];
            int k = (int) Math.min(left, b.remaining());
            b.position(b.position() + k);
            left -= k;
        }
        c.completed(res);
    }

    // ------------------------------------------------------------------ completions

    @Override
    public void complete(int op, int res, int flags) {
        if ((flags & Ring.CQE_F_MORE) == 0) {
            inflight--;
        }
        switch (op) {
            case OP_RECV -> onReceive(res, flags);
            case OP_RECV_MULTI -> onStream(res, flags);
            case OP_SEND -> onSend(res);
            case OP_CONNECT -> {
                port.releaseBlock(connectBlock);
                connectBlock = null;
                IntConsumer done = connected;
                connected = null;
                if (!closed && done != null) {
                    done.accept(res);
                }
            }
            default -> throw new IllegalStateException("unknown socket operation " + op);
        }
        if (closed && inflight == 0) {
            release();
        }
    }

    @Override
    public void abandon() {
        close(false);
    }

    // ------------------------------------------------------------------ shutdown and close

    @Override
    public void shutdownOutput() throws IOException {
        try {
            Native.shutdown(port.state, fd, Native.SHUT_WR);
        } catch (Errno.Failure e) {
            throw e.asIoException("shutdown");
        }
    }

    @Override
    public void close(boolean reset) {
        if (closed) {
            return;
        }
        closed = true;
        if (reset) {
            MemorySegment linger = port.scratch.asSlice(0, 8);
            linger.set(ValueLayout.JAVA_INT, 0, 1);
            linger.set(ValueLayout.JAVA_INT, 4, 0);
            try {
                Native.setsockopt(port.state, fd, Native.SOL_SOCKET, Native.SO_LINGER, linger, "SO_LINGER");
            } catch (Errno.Failure ignored) {
                // already reset by the peer: a plain close is all that is left to do
            }
        }
        BufferRing ring = port.buffers(readSmall);
        for (int i = 0; i < held; i++) {
            ring.recycle(heldIds[i]);
        }
        held = 0;
        for (; parkedCount > 0; parkedCount--) {
            port.small.recycle(parkedIds[parkedHead]);
            parkedHead = (parkedHead + 1) % parkedIds.length;
        }
        reader = null;
        writer = null;
        connected = null;
        if (inflight > 0) {
            port.cancelAll(fd);        // the descriptor closes at the last final completion
        } else {
            release();
        }
    }

    /** Closes the descriptor and frees the id; a close from inside a completion reaches here twice. */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        Native.close(port.state, fd);
        port.unregister(id);
    }

    @Override
    public int smallBufferSize() {
        return UringPort.SMALL;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "UringSocket[fd=" + fd + " " + local + " -> " + remote + "]";
    }
}
