package io.flowsock.uring;

import io.flowsock.core.spi.ReadCompletion;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The receive side of a {@link UringSocket}: the read the core has posted, the one receive armed
 * for it, and what arrived while no read was posted.
 *
 * <p><b>Receives.</b> On ABD's small rung a multishot receive picks small buffers from the port's
 * ring and stays armed from one small read to the next. A read of one large buffer is one receive
 * from the large ring, continued while the kernel says more is queued and the read has room; a
 * read of several scatters into that many of the port's own buffers with one recvmsg. Two
 * receives are never armed at once, so bytes keep their order.
 *
 * <p><b>Parking, bounded.</b> A multishot completion that finds no read posted is parked for the
 * next one, and the receive is cancelled at once: no demand, no reading, the kernel's socket
 * buffer holds the rest and TCP slows the peer. A connection keeps at most {@link Parked#LIMIT}
 * small buffers parked, what its next read takes (a read posts no more than demand and recvburst
 * allow, and one on the small rung); what the receive brought beyond that before its cancel
 * landed is copied into heap buffers of this connection and the small buffers go back at once.
 * If a receive elsewhere finds the ring empty, the ring asks parkers to copy theirs out too, so a
 * paused subscriber never stops another connection's reads.
 *
 * <p><b>Starvation.</b> A receive that finds its ring empty (ENOBUFS) waits on that ring, and the
 * ring retries it once any buffer comes back, without failing the connection.
 *
 * <p>Runs only on its port's thread.
 */
final class Receiver implements BufferRing.Waiter {
    private static final ByteBuffer[] NONE = new ByteBuffer[0];

    private final UringPort port;
    private final UringSocket socket;

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
    private IOException readError;          // seen after data that was delivered first: the next read gets it
    // the one receive armed
    private BufferRing receiving;           // the ring of a single receive in flight, or null
    private boolean streaming;              // the multishot receive is armed, until its final completion
    private boolean stopping;               // its cancel was asked for
    private int scattered;                  // buffers of the scattering receive in flight, or 0
    private WriteBlock scatterBlock;
    private int[] scatterIds;
    private Parked parked;                  // what arrived while no read was posted; made on the first park

    Receiver(UringPort port, UringSocket socket) {
        this.port = port;
        this.socket = socket;
    }

    void read(int count, boolean small, ReadCompletion completion) {
        reader = completion;
        readCount = count;
        readSmall = small;
        if (heldIds.length < count) {
            heldIds = new int[count];
            heldLengths = new int[count];
        }
        if (hasParked()) {
            port.execute(this::deliverParked);   // after read() returns, like any other completion
            return;
        }
        if (endSeen || readError != null) {
            port.execute(this::answerEnd);
            return;
        }
        arm();
    }

    private boolean hasParked() {
        return parked != null && !parked.isEmpty();
    }

    /**
     * Posts what the current read needs. On the small rung that is a multishot receive, which stays
     * armed from one small read to the next; anything else waits until a multishot's final
     * completion.
     */
    private void arm() {
        if (streaming) {
            if (!readSmall) {
                stopStreaming();
            }
            return;
        }
        if (receiving != null || scattered > 0) {
            return;
        }
        if (readSmall) {
            port.submitRecv(socket.registration(), UringSocket.OP_RECV_MULTI, socket.fd, port.buffers(true), true);
            streaming = true;
            return;
        }
        postReceive();
    }

    private void stopStreaming() {
        if (streaming && !stopping) {
            stopping = true;
            port.submitCancel(socket.registration(), UringSocket.OP_RECV_MULTI);
        }
    }

    /** The ring had buffers again after ENOBUFS. */
    @Override
    public void retryReceive() {
        if (!socket.isClosed() && reader != null && !hasParked()) {
            arm();
        }
    }

    /**
     * One completion of the multishot receive: a small buffer for the posted read, or parked for
     * the next one when there is none (and then the receive is stopped: no demand, no reading).
     */
    void onStream(int res, int flags) {
        BufferRing small = port.buffers(true);
        boolean last = (flags & Ring.CQE_F_MORE) == 0;
        boolean closed = socket.isClosed();
        if ((flags & Ring.CQE_F_BUFFER) != 0) {
            int bid = small.take(flags);
            if (closed || res <= 0) {
                small.recycle(bid);
            } else if (reader != null && !hasParked()) {
                heldIds[0] = bid;
                heldLengths[0] = res;
                held = 1;
                heldBytes = res;
                deliver(small, heldIds, readCount);
            } else {
                park(small, bid, res);
            }
            if (!socket.isClosed() && !last && (reader == null || !readSmall)) {
                stopStreaming();
            }
        }
        if (!last) {
            return;
        }
        streaming = false;
        stopping = false;
        if (socket.isClosed()) {
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
        if (hasParked()) {
            deliverParked();
        } else if (endSeen || readError != null) {
            answerEnd();
        } else if (res == -Errno.ENOBUFS && readSmall) {
            small.starved(this);           // charged to the small ring; a large read arms on its own ring
        } else {
            arm();
        }
    }

    private void park(BufferRing small, int bid, int length) {
        if (parked == null) {
            parked = new Parked(small);
        }
        parked.add(bid, length);
    }

    /** Hands what arrived without a read, oldest first, to the posted read: parked buffers, else copies. */
    private void deliverParked() {
        if (socket.isClosed() || reader == null || !hasParked()) {
            return;
        }
        if (parked.buffers() > 0) {
            int n = parked.takeBuffers(heldIds, heldLengths, readCount);
            heldBytes = 0;
            for (int i = 0; i < n; i++) {
                heldBytes += heldLengths[i];
            }
            held = n;
            deliver(port.buffers(true), heldIds, readCount);
            return;
        }
        growViews(readCount);
        int n = parked.takeCopies(views, readCount);
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes += views[i].remaining();
        }
        ReadCompletion c = reader;
        reader = null;
        try {
            c.completed(views, n, readCount, UringPort.SMALL, bytes);
        } finally {
            Arrays.fill(views, 0, n, null);
        }
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
        receiving = port.buffers(readSmall);
        port.submitRecv(socket.registration(), UringSocket.OP_RECV, socket.fd, receiving, false);
    }

    private void postScatter() {
        ScatterBuffers pool = port.scatterBuffers();
        scattered = readCount;
        if (scatterIds == null || scatterIds.length < scattered) {
            scatterIds = new int[scattered];
        }
        scatterBlock = port.takeBlock(false);
        for (int i = 0; i < scattered; i++) {
            scatterIds[i] = pool.take();
        }
        MemorySegment msg = scatterBlock.scatter(pool, scatterIds, scattered);
        port.submitRecvmsg(socket.registration(), UringSocket.OP_RECV, socket.fd, msg);
    }

    /** A scattering receive completed: its buffers go to the core, then all back to the port. */
    private void onScatter(int res) {
        ScatterBuffers pool = port.scatterBuffers();
        int n = scattered;
        int[] ids = scatterIds;
        scattered = 0;
        scatterIds = null;                   // a read posted inside the completion takes a fresh array
        port.releaseBlock(scatterBlock);
        scatterBlock = null;
        boolean closed = socket.isClosed();
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
                pool.release(ids[i]);
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

    void onReceive(int res, int flags) {
        if (scattered > 0) {
            onScatter(res);
            return;
        }
        BufferRing ring = receiving;
        receiving = null;
        int bid = (flags & Ring.CQE_F_BUFFER) != 0 ? ring.take(flags) : -1;
        if (socket.isClosed() || res <= 0) {
            if (bid >= 0) {
                ring.recycle(bid);
            }
            if (socket.isClosed()) {
                return;
            }
        }
        if (res > 0) {
            heldIds[held] = bid;
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
            endOrDeliver(ring);
        } else if (res == -Errno.ENOBUFS) {
            if (held > 0) {
                deliver(ring, heldIds, readCount);
            } else {
                ring.starved(this);            // charged to the ring the receive picked from
            }
        } else if (res == -Errno.EINTR || res == -Errno.EAGAIN) {
            postReceive();
        } else {
            readError = Errno.exception("recv", -res);
            endOrDeliver(ring);
        }
    }

    private void endOrDeliver(BufferRing ring) {
        if (held > 0) {
            deliver(ring, heldIds, readCount);
        } else {
            answerEnd();
        }
    }

    /**
     * Hands the held buffers to the core in one completion, then gives them back: to {@code ring},
     * or to the port's scatter buffers when {@code ring} is null.
     */
    private void deliver(BufferRing ring, int[] ids, int posted) {
        int n = held;
        growViews(n);
        for (int i = 0; i < n; i++) {
            views[i] = ring != null ? ring.view(ids[i], heldLengths[i]) : port.scatterBuffers().view(ids[i], heldLengths[i]);
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
                if (filled[i] == null) {       // kept by the core: back through recycle()
                    socket.kept(ring, ids[i]);
                    continue;
                }
                filled[i] = null;
                if (ring != null) {
                    ring.recycle(ids[i]);
                } else {
                    port.scatterBuffers().release(ids[i]);
                }
            }
        }
    }

    private void growViews(int n) {
        if (views.length < n) {
            views = new ByteBuffer[Math.max(n, readCount)];
        }
    }

    /** End of stream or a read error, for the read now posted. */
    private void answerEnd() {
        ReadCompletion c = reader;
        if (socket.isClosed() || c == null) {
            return;
        }
        reader = null;
        if (readError != null) {
            c.failed(readError);
        } else {
            c.endOfStream();
        }
    }

    /** The socket closed: what is held or parked goes back; what is armed completes later, as cancelled. */
    void close() {
        BufferRing ring = port.buffers(readSmall);
        for (int i = 0; i < held; i++) {
            ring.recycle(heldIds[i]);
        }
        held = 0;
        if (parked != null) {
            parked.clear();
        }
        reader = null;
    }
}
