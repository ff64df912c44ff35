package io.flowsock.core.nio2;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The port's memory that datagrams are received into, shared by every datagram socket of the port:
 * one direct slab in which a batch's datagrams lie one after the other. Each read is given the room
 * of the largest datagram plus one (so a full read means it was cut) and the batch ends when less
 * than that is left, so a slab of {@link #SLAB} bytes takes up to 64 datagrams of 1 KiB and at least
 * one of any size. A busy socket therefore pins no receive memory of its own: the port pins one slab,
 * where a buffer of {@code ROOM} per datagram of the largest batch would pin 4 MiB per socket.
 *
 * <p>The slab is lent for the span of one completion call, in which the receiver copies what it
 * wants. A receive on another socket of the port that a handler starts within that call finds it
 * {@link #lentToOther lent} and runs once the call has returned; the borrowing socket's own next
 * receive may start within the call, since its receiver posts it only once it has copied the batch.
 *
 * <p>Runs only on its port's thread.
 */
public final class DatagramScratch {
    /** One more than the largest UDP payload: a read that fills its room was cut. */
    static final int ROOM = 65_536;
    static final int SLAB = 2 * ROOM;

    private ByteBuffer slab;                                  // allocated at the port's first receive
    private ByteBuffer[] views = new ByteBuffer[0];           // views of the slab, one per datagram
    private InetSocketAddress[] senders = new InetSocketAddress[0];
    private boolean[] truncated = new boolean[0];
    private int used;                                         // bytes of the slab the batch holds
    private Object borrower;                                  // the socket whose completion holds the slab

    /** Starts a batch: the slab is empty again. */
    void begin() {
        if (slab == null) {
            slab = ByteBuffer.allocateDirect(SLAB);
        }
        used = 0;
    }

    /** Whether the next datagram of the batch still fits, given the room of the largest. */
    boolean hasRoom() {
        return SLAB - used >= ROOM;
    }

    /** The empty buffer that datagram {@code i} of the batch is read into. */
    ByteBuffer room(int i) {
        if (i >= views.length) {
            int size = Math.max(i + 1, 2 * views.length);
            views = Arrays.copyOf(views, size);
            senders = Arrays.copyOf(senders, size);
            truncated = Arrays.copyOf(truncated, size);
        }
        ByteBuffer v = views[i];
        if (v == null) {
            v = views[i] = slab.duplicate();
        }
        v.limit(used + ROOM).position(used);
        return v;
    }

    /** Datagram {@code i}, read into {@link #room}, came from {@code from}: it becomes the bytes read. */
    void received(int i, InetSocketAddress from) {
        ByteBuffer v = views[i];
        int end = v.position();
        v.limit(end).position(used);
        truncated[i] = end - used == ROOM;
        senders[i] = from;
        used = end;
    }

    ByteBuffer[] datagrams() {
        return views;
    }

    InetSocketAddress[] senders() {
        return senders;
    }

    boolean[] truncated() {
        return truncated;
    }

    /** Whether a completion of a socket other than {@code socket} holds the slab now. */
    boolean lentToOther(Object socket) {
        return borrower != null && borrower != socket;
    }

    /** Lends the slab to {@code socket} (null: returned), answering who held it before. */
    Object lend(Object socket) {
        Object before = borrower;
        borrower = socket;
        return before;
    }
}
