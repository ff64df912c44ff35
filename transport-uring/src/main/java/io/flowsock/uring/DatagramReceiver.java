package io.flowsock.uring;

import io.flowsock.core.spi.DatagramReceive;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The receive side of a {@link UringDatagram}: one multishot {@code recvmsg} into the port's
 * datagram buffer ring, armed only while the core has a receive posted.
 *
 * <p><b>A burst.</b> Each datagram is one completion, its buffer laid out as
 * {@code io_uring_recvmsg_out} (lengths and flags), the sender's address, the control messages
 * (SO_RXQ_OVFL's drop counter) and the payload. A posted receive of {@code count} takes up to
 * {@code count} of them: it completes at once when it has {@code count}, else in the port's next
 * task run, after every completion the kernel posted in this turn has been seen. So it completes
 * with everything already queued, up to {@code count}, as recvmmsg would.
 *
 * <p><b>Demand, bounded.</b> A completion that finds no receive posted is copied aside (parked)
 * and the multishot is cancelled at once: no demand, no receiving, and the kernel's queue fills
 * and drops, which {@code kernelDrops} counts. What arrives before the cancel lands is bounded by
 * the buffers the ring had when the port entered the kernel, and the next receive takes it first.
 *
 * <p>Runs only on its port's thread.
 */
final class DatagramReceiver implements BufferRing.Waiter {
    static final int CAPACITY = 64 * 1024;                  // payload bytes per datagram: a longer one is truncated
    private static final int OUT = 16;                      // struct io_uring_recvmsg_out
    private static final int NAME = 32;                     // room for a sockaddr_in6, 8-aligned
    private static final int CONTROL = 32;                  // CMSG_SPACE(4) for the drop counter, with room
    private static final int HEADER = OUT + NAME + CONTROL;
    static final int BUFFER_SIZE = HEADER + CAPACITY;
    static final int BUFFERS = 128;
    private static final int MSG_TRUNC = 0x20;
    private static final int PARKED_LIMIT = BUFFERS;

    private final UringPort port;
    private final UringDatagram socket;
    private final WriteBlock header;        // the msghdr the multishot reads its name and control sizes from
    private final Runnable flush = this::flush;
    private final int capacity;

    // the receive posted
    private DatagramReceive posted;
    private int count;
    private int held;
    private int[] heldIds = new int[1];
    private ByteBuffer[] data = new ByteBuffer[1];
    private InetSocketAddress[] senders = new InetSocketAddress[1];
    private boolean[] truncated = new boolean[1];
    private boolean flushQueued;
    private IOException error;              // a failure seen with nothing posted: the next receive gets it
    // the multishot
    private boolean armed;                  // until its final completion
    private boolean stopping;               // its cancel was asked for
    private final ArrayDeque<Parked> parked = new ArrayDeque<>();
    private long lastDropCount;
    private long ownDrops;

    /** A datagram copied aside because no receive was posted when it came. */
    private record Parked(ByteBuffer data, InetSocketAddress sender, boolean truncated) {
    }

    /** @param capacity payload bytes a datagram may have before it is truncated, at most {@link #CAPACITY} */
    DatagramReceiver(UringPort port, UringDatagram socket, int capacity) {
        this.port = port;
        this.socket = socket;
        this.capacity = capacity;
        this.header = port.takeBlock(false);
        MemorySegment m = header.memory;
        long iov = 64 + NAME + CONTROL;
        m.asSlice(0, iov + 16).fill((byte) 0);
        m.set(ValueLayout.JAVA_LONG, 0, m.address() + 64);           // msg_name: a place holder, never written
        m.set(ValueLayout.JAVA_INT, 8, NAME);                        // msg_namelen: reserved in each buffer
        m.set(ValueLayout.JAVA_LONG, 16, m.address() + iov);         // msg_iov: one iovec, whose length
        m.set(ValueLayout.JAVA_LONG, 24, 1L);                        // caps how much of a buffer one datagram takes
        m.set(ValueLayout.JAVA_LONG, 32, m.address() + 64 + NAME);   // msg_control: a place holder too
        m.set(ValueLayout.JAVA_LONG, 40, CONTROL);                   // msg_controllen: reserved in each buffer
        m.set(ValueLayout.JAVA_LONG, iov + 8, (long) HEADER + capacity);
    }

    int capacity() {
        return capacity;
    }

    long lastDropCount() {
        return lastDropCount;
    }

    long ownDrops() {
        return ownDrops;
    }

    void receive(int count, DatagramReceive completion) {
        posted = completion;
        this.count = count;
        if (heldIds.length < count) {
            heldIds = new int[count];
            data = new ByteBuffer[count];
            senders = new InetSocketAddress[count];
            truncated = new boolean[count];
        }
        if (!parked.isEmpty() || error != null) {
            queueFlush();                     // after receive() returns, like any other completion
            return;
        }
        arm();
    }

    private void arm() {
        if (armed || socket.isClosed()) {
            return;                          // a multishot being stopped is armed again at its final completion
        }
        armed = true;
        port.submitRecvmsgMultishot(socket.registration(), UringDatagram.OP_RECV, socket.fd, header.memory,
                port.datagramBuffers());
    }

    /** The ring had buffers again after ENOBUFS. */
    @Override
    public void retryReceive() {
        if (posted != null && !socket.isClosed()) {
            arm();
        }
    }

    void onReceive(int res, int flags) {
        BufferRing ring = port.datagramBuffers();
        boolean last = (flags & Ring.CQE_F_MORE) == 0;
        if ((flags & Ring.CQE_F_BUFFER) != 0) {
            int bid = ring.take(flags);
            if (socket.isClosed() || res < HEADER) {
                ring.recycle(bid);
            } else if (posted != null && parked.isEmpty()) {
                hold(ring, bid, res);
            } else {
                park(ring, bid, res);
                while (posted != null && !parked.isEmpty() && !socket.isClosed()) {
                    deliverParked();         // oldest first, as fast as the core posts receives
                }
            }
        }
        if (last) {
            armed = false;
            stopping = false;
            onFinal(res);
        } else if (posted == null && !stopping && !socket.isClosed()) {
            stopping = true;                 // no demand: stop receiving, let the kernel's queue fill
            port.submitCancel(socket.registration(), UringDatagram.OP_RECV);
        }
    }

    private void onFinal(int res) {
        if (socket.isClosed()) {
            return;
        }
        if (res < 0 && res != -Errno.ECANCELED && res != -Errno.ENOBUFS) {
            IOException e = res == -Errno.ECONNREFUSED
                    ? new PortUnreachableException("recvmsg: port unreachable at " + socket.remoteAddress()
                            + " (ECONNREFUSED)")
                    : Errno.exception("recvmsg on " + socket.localAddress(), -res);
            if (posted != null && held == 0) {
                DatagramReceive c = posted;
                posted = null;
                c.failed(e);
            } else {
                error = e;                   // after what is held, or for the next receive
            }
        }
        if (posted == null || held > 0 || !parked.isEmpty() || error != null) {
            return;                          // the flush queued delivers, or the next receive arms
        }
        if (res == -Errno.ENOBUFS) {
            port.datagramBuffers().starved(this);
        } else {
            arm();
        }
    }

    /** One datagram for the receive posted: delivered at once when the receive is full, else at the flush. */
    private void hold(BufferRing ring, int bid, int res) {
        MemorySegment m = ring.memory();
        long base = (long) bid * ring.size;
        heldIds[held] = bid;
        senders[held] = sender(m, base);
        truncated[held] = (m.get(ValueLayout.JAVA_INT, base + 12) & MSG_TRUNC) != 0;
        data[held] = ring.view(bid, res).position(HEADER).slice();
        readDrops(m, base);
        held++;
        if (held == count) {
            deliver();
        } else {
            queueFlush();
        }
    }

    private void park(BufferRing ring, int bid, int res) {
        try {
            MemorySegment m = ring.memory();
            long base = (long) bid * ring.size;
            readDrops(m, base);
            if (parked.size() >= PARKED_LIMIT) {
                ownDrops++;                  // not reached: the ring holds no more than this
                return;
            }
            ByteBuffer copy = ByteBuffer.allocate(res - HEADER);
            copy.put(ring.view(bid, res).position(HEADER)).flip();
            parked.add(new Parked(copy, sender(m, base), (m.get(ValueLayout.JAVA_INT, base + 12) & MSG_TRUNC) != 0));
        } finally {
            ring.recycle(bid);
        }
    }

    private static InetSocketAddress sender(MemorySegment m, long base) {
        int namelen = m.get(ValueLayout.JAVA_INT, base);
        return namelen > 0 ? SockAddr.read(m.asSlice(base + OUT, NAME)) : null;
    }

    /** The SO_RXQ_OVFL counter among the control messages, if the kernel attached one. */
    private void readDrops(MemorySegment m, long base) {
        int controllen = m.get(ValueLayout.JAVA_INT, base + 4);
        long at = base + OUT + NAME;
        long end = at + Math.min(controllen, CONTROL);
        while (at + 16 <= end) {
            long len = m.get(ValueLayout.JAVA_LONG, at);
            if (len < 16) {
                return;
            }
            if (m.get(ValueLayout.JAVA_INT, at + 8) == Native.SOL_SOCKET
                    && m.get(ValueLayout.JAVA_INT, at + 12) == DatagramOptions.SO_RXQ_OVFL && len >= 20) {
                lastDropCount = Math.max(lastDropCount, Integer.toUnsignedLong(m.get(ValueLayout.JAVA_INT, at + 16)));
            }
            at += (len + 7) & ~7L;
        }
    }

    private void queueFlush() {
        if (!flushQueued) {
            flushQueued = true;
            port.execute(flush);
        }
    }

    /** The port's task run after a turn's completions: what the posted receive holds, or what was parked. */
    private void flush() {
        flushQueued = false;
        if (socket.isClosed() || posted == null) {
            return;
        }
        if (held > 0) {
            deliver();
        } else if (!parked.isEmpty()) {
            deliverParked();
        } else if (error != null) {
            IOException e = error;
            error = null;
            DatagramReceive c = posted;
            posted = null;
            c.failed(e);
        } else {
            arm();
        }
    }

    /**
     * The held datagrams to the core, then their buffers back to the ring. Nothing is held while
     * completed() runs (completions come only from the port's reap), so a receive it posts, even
     * one that grows the arrays, leaves these alone.
     */
    private void deliver() {
        int n = held;
        held = 0;
        int[] ids = heldIds;
        ByteBuffer[] d = data;
        InetSocketAddress[] s = senders;
        DatagramReceive c = posted;
        posted = null;
        try {
            c.completed(d, s, truncated, n);
        } finally {
            BufferRing ring = port.datagramBuffers();
            for (int i = 0; i < n; i++) {
                ring.recycle(ids[i]);
                d[i] = null;
                s[i] = null;
            }
        }
        afterDelivery();
    }

    private void deliverParked() {
        int n = Math.min(count, parked.size());
        ByteBuffer[] d = data;
        InetSocketAddress[] s = senders;
        for (int i = 0; i < n; i++) {
            Parked p = parked.poll();
            d[i] = p.data();
            s[i] = p.sender();
            truncated[i] = p.truncated();
        }
        DatagramReceive c = posted;
        posted = null;
        try {
            c.completed(d, s, truncated, n);
        } finally {
            for (int i = 0; i < n; i++) {
                d[i] = null;
                s[i] = null;
            }
        }
        afterDelivery();
    }

    /** Without a new receive the multishot stops; with one, it goes on or is armed again. */
    private void afterDelivery() {
        if (socket.isClosed()) {
            return;
        }
        if (posted == null) {
            if (armed && !stopping) {
                stopping = true;
                port.submitCancel(socket.registration(), UringDatagram.OP_RECV);
            }
        } else if (held == 0 && parked.isEmpty() && error == null) {
            arm();
        }
    }

    /** The socket closed: what is held goes back, what is parked is dropped; the multishot ends as cancelled. */
    void close() {
        BufferRing ring = held > 0 ? port.datagramBuffers() : null;
        for (int i = 0; i < held; i++) {
            ring.recycle(heldIds[i]);
            data[i] = null;
        }
        held = 0;
        parked.clear();
        posted = null;
    }

    /** The socket is released: its msghdr's block goes back to the port. */
    void released() {
        port.releaseBlock(header);
    }
}
