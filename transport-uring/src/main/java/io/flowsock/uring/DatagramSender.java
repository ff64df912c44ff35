package io.flowsock.uring;

import io.flowsock.core.spi.DatagramSendCompletion;
import io.flowsock.core.spi.DatagramTooLongIOException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;

/**
 * The send side of a {@link UringDatagram}: one send in flight, a chain of linked {@code sendmsg}
 * SQEs, one per datagram, submitted together. Linked, they run in order, and a failure cancels the
 * rest of the chain, which is what the core's "the ones after it were not tried" needs.
 *
 * <p><b>Memory.</b> Each datagram's msghdr, iovec and target address, and the bytes of heap
 * buffers, are staged into one {@link WriteBlock} of port memory; direct buffers go by address.
 * A chain stops where the block is full and the core posts the rest. The block goes back at the
 * chain's last completion, when the kernel has stopped reading it; nothing refers to the core's
 * buffers after that, and their positions are never moved.
 *
 * <p>Runs only on its port's thread.
 */
final class DatagramSender {
    static final int MAX_BATCH = 64;
    private static final int MSGHDR = 56;
    private static final int IOVEC = 16;
    private static final int HEAD = 104;             // msghdr, iovec, sockaddr_in6, 8-aligned

    private final UringPort port;
    private final UringDatagram socket;
    private DatagramSendCompletion sending;
    private WriteBlock block;
    private final int[] results = new int[MAX_BATCH];
    private final int[] lengths = new int[MAX_BATCH];
    private final int[] headAt = new int[MAX_BATCH];     // each datagram's msghdr in the block
    private int chained;
    private int outstanding;

    DatagramSender(UringPort port, UringDatagram socket) {
        this.port = port;
        this.socket = socket;
    }

    void send(ByteBuffer[] datagrams, InetSocketAddress[] targets, int offset, int length,
              DatagramSendCompletion completion) {
        int n = Math.min(length, MAX_BATCH);
        long need = 0;
        for (int i = 0; i < n; i++) {
            ByteBuffer b = datagrams[offset + i];
            need += HEAD + (b.isDirect() ? 0 : align(b.remaining()));
        }
        WriteBlock b = port.takeBlock(need > WriteBlock.SMALL_STAGING);
        int k = stage(b.staging, datagrams, targets, offset, n);
        if (k == 0) {
            port.releaseBlock(b);
            completion.failed(0, tooLong(datagrams[offset].remaining()));
            return;
        }
        block = b;
        sending = completion;
        chained = k;
        outstanding = k;
        for (int i = 0; i < k; i++) {
            port.submitSendmsg(socket.registration(), UringDatagram.OP_SEND + i, socket.fd,
                    b.staging.asSlice(headAt[i], MSGHDR), i < k - 1);
        }
    }

    /** Lays out up to {@code n} datagrams in {@code mem}; returns how many fit. */
    private int stage(MemorySegment mem, ByteBuffer[] datagrams, InetSocketAddress[] targets, int offset, int n) {
        long cap = mem.byteSize();
        int at = 0;
        for (int i = 0; i < n; i++) {
            ByteBuffer d = datagrams[offset + i];
            int len = d.remaining();
            long size = HEAD + (d.isDirect() ? 0 : align(len));
            if (at + size > cap) {
                return i;
            }
            headAt[i] = at;
            lengths[i] = len;
            long data;
            if (d.isDirect()) {
                data = MemorySegment.ofBuffer(d).address();
            } else {
                data = mem.address() + at + HEAD;
                if (d.hasArray()) {
                    MemorySegment.copy(d.array(), d.arrayOffset() + d.position(), mem, ValueLayout.JAVA_BYTE,
                            at + HEAD, len);
                } else {
                    MemorySegment.copy(MemorySegment.ofBuffer(d), 0, mem, at + HEAD, len);
                }
            }
            mem.asSlice(at, MSGHDR).fill((byte) 0);
            InetSocketAddress target = targets != null ? targets[offset + i] : null;
            if (target != null) {
                int alen = SockAddr.write(target, mem.asSlice(at + MSGHDR + IOVEC, SockAddr.SIZE), socket.family);
                mem.set(ValueLayout.JAVA_LONG, at, mem.address() + at + MSGHDR + IOVEC);      // msg_name
                mem.set(ValueLayout.JAVA_INT, at + 8, alen);                                  // msg_namelen
            }
            mem.set(ValueLayout.JAVA_LONG, at + MSGHDR, data);                                // iov_base
            mem.set(ValueLayout.JAVA_LONG, at + MSGHDR + 8, len);                             // iov_len
            mem.set(ValueLayout.JAVA_LONG, at + 16, mem.address() + at + MSGHDR);             // msg_iov
            mem.set(ValueLayout.JAVA_LONG, at + 24, 1L);                                      // msg_iovlen
            at += (int) size;
        }
        return n;
    }

    private static long align(int n) {
        return (n + 7L) & ~7L;
    }

    /** One datagram's completion; at the chain's last, the block goes back and the core hears how far it got. */
    void onSend(int index, int res) {
        results[index] = res;
        if (--outstanding > 0) {
            return;
        }
        port.releaseBlock(block);
        block = null;
        DatagramSendCompletion c = sending;
        sending = null;
        int sent = 0;
        while (sent < chained && results[sent] >= 0) {
            sent++;
        }
        if (c == null) {
            return;
        }
        if (socket.isClosed()) {
            c.failed(sent, new AsynchronousCloseException());
        } else if (sent == chained) {
            c.completed(sent);
        } else {
            c.failed(sent, error(-results[sent], lengths[sent]));
        }
    }

    private IOException error(int errno, int length) {
        return switch (errno) {
            case Errno.EMSGSIZE -> tooLong(length);
            case Errno.ECONNREFUSED -> new PortUnreachableException("sendmsg: port unreachable at "
                    + socket.remoteAddress() + " (ECONNREFUSED)");
            default -> Errno.exception("sendmsg from " + socket.localAddress(), errno);
        };
    }

    private static IOException tooLong(int length) {
        return new DatagramTooLongIOException("sendmsg: a datagram of " + length
                + " bytes is longer than UDP allows here (EMSGSIZE: Message too long)", null);
    }
}
