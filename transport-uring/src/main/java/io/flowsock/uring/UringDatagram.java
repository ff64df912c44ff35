package io.flowsock.uring;

import io.flowsock.core.spi.DatagramIo;
import io.flowsock.core.spi.DatagramReceive;
import io.flowsock.core.spi.DatagramSendCompletion;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;

/**
 * A UDP socket on an io_uring port, driven by the core: its descriptor, its {@link Registration},
 * its options, multicast membership and close. Receives are the {@link DatagramReceiver}'s (a
 * multishot recvmsg into the port's datagram buffer ring), sends the {@link DatagramSender}'s (a
 * chain of linked sendmsg).
 *
 * <p><b>Close.</b> Cancels what is posted; the descriptor is closed, the socket forgotten by the
 * port and the release reported only after the last operation's final completion, when the
 * kernel has stopped touching the memory it was given. A port that stops closes its datagram
 * sockets the same way ({@link #abandon}), so a transport's close leaks no descriptor.
 *
 * <p>Runs only on its port's thread.
 */
final class UringDatagram implements DatagramIo, Completion {
    static final int OP_RECV = 1;
    /** A send's ops are OP_SEND + its datagram's place in the chain. */
    static final int OP_SEND = 64;
    private static final int MCAST_JOIN_GROUP = 42;
    private static final int MCAST_LEAVE_GROUP = 45;
    private static final int MCAST_JOIN_SOURCE_GROUP = 46;
    private static final int MCAST_LEAVE_SOURCE_GROUP = 47;
    private static final int SO_MEMINFO = 55;
    private static final int SK_MEMINFO_DROPS = 8;
    private static final int SOCKADDR_STORAGE = 128;

    private final UringPort port;
    final int fd;
    final int family;
    private final Registration registration;
    private final DatagramReceiver receiver;
    private final DatagramSender sender;
    private InetSocketAddress local;
    private InetSocketAddress remote;
    private boolean closed;
    private final Release release;

    private UringDatagram(UringPort port, int fd, int family, int capacity) {
        this.port = port;
        this.fd = fd;
        this.family = family;
        this.registration = port.register(this);
        this.receiver = new DatagramReceiver(port, this, capacity);
        this.sender = new DatagramSender(port, this);
        this.release = new Release(port, registration, fd, receiver::released);
    }

    /**
     * A datagram socket bound to {@code local}, connected to {@code remote} unless it is null. A
     * wildcard {@code local} takes the family of {@code remote}, so an unspecified bind can reach
     * either kind of peer. Port thread.
     */
    static UringDatagram open(UringPort port, InetSocketAddress local, InetSocketAddress remote,
                              Map<SocketOption<?>, Object> options) throws IOException {
        return open(port, local, remote, options, DatagramReceiver.CAPACITY);
    }

    /** As {@link #open(UringPort, InetSocketAddress, InetSocketAddress, Map)}, truncating datagrams past {@code capacity}. */
    static UringDatagram open(UringPort port, InetSocketAddress local, InetSocketAddress remote,
                              Map<SocketOption<?>, Object> options, int capacity) throws IOException {
        Objects.requireNonNull(local, "local");
        if (capacity < 1 || capacity > DatagramReceiver.CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [1, " + DatagramReceiver.CAPACITY + "], was "
                    + capacity);
        }
        DatagramOptions.check(options);
        InetSocketAddress bindTo = local;
        if (remote != null && local.getAddress().isAnyLocalAddress() && SockAddr.family(local) != SockAddr.family(remote)) {
            bindTo = new InetSocketAddress(wildcard(remote), local.getPort());
        }
        int family = SockAddr.family(bindTo);
        int fd;
        try {
            fd = Native.socket(port.errno(), family, Native.SOCK_DGRAM);
        } catch (Errno.Failure f) {
            throw f.asIoException("socket");
        }
        UringDatagram d = new UringDatagram(port, fd, family, capacity);
        String step = "setsockopt";
        try {
            MemorySegment scratch = port.scratch();
            DatagramOptions.setInt(port.errno(), scratch, fd, Native.SOL_SOCKET, DatagramOptions.SO_RXQ_OVFL, 1,
                    "SO_RXQ_OVFL");
            DatagramOptions.apply(port.errno(), scratch, fd, family, options);
            step = "bind " + bindTo;
            Native.bind(port.errno(), fd, scratch, SockAddr.write(bindTo, scratch));
            if (remote != null) {
                step = "connect " + remote;
                Native.connect(port.errno(), fd, scratch, SockAddr.write(remote, scratch, family));
            }
            d.addresses(remote != null);
            return d;
        } catch (Errno.Failure f) {
            d.shut();
            throw f.asIoException(step);
        } catch (RuntimeException e) {
            d.shut();
            throw e;
        }
    }

    private static InetAddress wildcard(InetSocketAddress like) {
        try {
            return InetAddress.getByAddress(new byte[like.getAddress() instanceof Inet6Address ? 16 : 4]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private void addresses(boolean connected) {
        MemorySegment addr = port.scratch();
        MemorySegment len = addr.asSlice(SockAddr.SIZE + 4, 4);
        len.set(ValueLayout.JAVA_INT, 0, SockAddr.SIZE);
        Native.sockname(port.errno(), fd, false, addr, len);
        local = SockAddr.read(addr);
        if (connected) {
            len.set(ValueLayout.JAVA_INT, 0, SockAddr.SIZE);
            Native.sockname(port.errno(), fd, true, addr, len);
            remote = SockAddr.read(addr);
        }
    }

    Registration registration() {
        return registration;
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ receive and send

    @Override
    public void receive(int count, DatagramReceive completion) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        if (!closed) {
            receiver.receive(count, completion);
        }
    }

    @Override
    public void send(ByteBuffer[] datagrams, InetSocketAddress[] targets, int offset, int length,
                     DatagramSendCompletion completion) {
        if (!closed) {
            sender.send(datagrams, targets, offset, length, completion);
        }
    }

    @Override
    public int receiveBufferSize() {
        return receiver.capacity();
    }

    /** The drop counter the last datagram carried in its SO_RXQ_OVFL control message. */
    long droppedAsLastReported() {
        return receiver.lastDropCount();
    }

    /**
     * The kernel's count of datagrams it dropped for a full receive queue, read now
     * (SO_MEMINFO); the SO_RXQ_OVFL counter the last datagram carried where that read fails;
     * plus any datagram this socket had to drop itself.
     */
    @Override
    public long kernelDrops() {
        long kernel = receiver.lastDropCount();
        if (!closed) {
            MemorySegment info = port.scratch().asSlice(0, 4L * (SK_MEMINFO_DROPS + 1));
            MemorySegment len = port.scratch().asSlice(48, 4);
            len.set(ValueLayout.JAVA_INT, 0, (int) info.byteSize());
            try {
                Native.getsockopt(port.errno(), fd, Native.SOL_SOCKET, SO_MEMINFO, info, len, "SO_MEMINFO");
                kernel = Math.max(kernel, Integer.toUnsignedLong(info.get(ValueLayout.JAVA_INT, 4L * SK_MEMINFO_DROPS)));
            } catch (Errno.Failure ignored) {
                // an older kernel without SO_MEMINFO: the counter of the last datagram is what there is
            }
        }
        return kernel + receiver.ownDrops();
    }

    /** The counter the last datagram carried, plus this socket's own drops: no system call. */
    @Override
    public long reportedDrops() {
        return receiver.lastDropCount() + receiver.ownDrops();
    }

    // ------------------------------------------------------------------ multicast

    @Override
    public void join(InetAddress group, NetworkInterface networkInterface, InetAddress source) throws IOException {
        membership(group, networkInterface, source, true);
    }

    @Override
    public void leave(InetAddress group, NetworkInterface networkInterface, InetAddress source) throws IOException {
        membership(group, networkInterface, source, false);
    }

    /** MCAST_(JOIN|LEAVE)_(SOURCE_)GROUP with a group_req or group_source_req, at the group's IP level. */
    private void membership(InetAddress group, NetworkInterface ni, InetAddress source, boolean join)
            throws IOException {
        Objects.requireNonNull(group, "group");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("group must be a multicast address, was " + group.getHostAddress());
        }
        boolean v6 = group instanceof Inet6Address;
        if (v6 && family == Native.AF_INET) {
            throw new IllegalArgumentException("an IPv4 socket cannot join IPv6 group " + group.getHostAddress());
        }
        if (source != null && (source instanceof Inet6Address) != v6) {
            throw new IllegalArgumentException("source " + source.getHostAddress() + " is not of the family of group "
                    + group.getHostAddress());
        }
        if (closed) {
            throw new java.nio.channels.ClosedChannelException();
        }
        int name = source == null ? (join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP)
                : (join ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP);
        String what = (join ? "join " : "leave ") + group.getHostAddress()
                + (source != null ? " from " + source.getHostAddress() : "")
                + (ni != null ? " on " + ni.getName() : "");
        try (Arena a = Arena.ofConfined()) {
            // struct group_req / group_source_req: the interface index, then sockaddr_storage(s) at 8-byte alignment
            MemorySegment req = a.allocate(8 + SOCKADDR_STORAGE * (source == null ? 1L : 2L), 8);
            req.set(ValueLayout.JAVA_INT, 0, ni != null ? ni.getIndex() : 0);
            SockAddr.write(new InetSocketAddress(group, 0), req.asSlice(8, SOCKADDR_STORAGE));
            if (source != null) {
                SockAddr.write(new InetSocketAddress(source, 0), req.asSlice(8 + SOCKADDR_STORAGE, SOCKADDR_STORAGE));
            }
            Native.setsockopt(port.errno(), fd, v6 ? DatagramOptions.IPPROTO_IPV6 : DatagramOptions.IPPROTO_IP, name,
                    req, what);
        } catch (Errno.Failure f) {
            throw f.asIoException(what);
        }
    }

    // ------------------------------------------------------------------ completions

    @Override
    public void complete(int op, int res, int flags) {
        try {
            if (op == OP_RECV) {
                receiver.onReceive(res, flags);
            } else if (op >= OP_SEND && op < OP_SEND + DatagramSender.MAX_BATCH) {
                sender.onSend(op - OP_SEND, res);
            } else {
                throw new IllegalStateException("unknown datagram operation " + op);
            }
        } finally {
            if (closed) {
                release.completed();
            }
        }
    }

    @Override
    public void abandon() {
        shut();
    }

    @Override
    public void lost() {
        closed = true;
        release.now();
    }

    // ------------------------------------------------------------------ close

    /** Cancels what is posted; the descriptor closes, and {@code released} runs, at the last final completion. */
    @Override
    public void close(Runnable released) {
        release.then(released);
        shut();
    }

    private void shut() {
        if (closed) {
            return;
        }
        closed = true;
        receiver.close();
        release.closed();
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
        return "UringDatagram[fd=" + fd + " " + local + (remote != null ? " -> " + remote : "") + "]";
    }
}
