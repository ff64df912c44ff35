package io.flowsock.core.nio2;

import io.flowsock.core.CompletionPort;
import io.flowsock.core.internal.NioChannels;
import io.flowsock.core.spi.DatagramIo;
import io.flowsock.core.spi.DatagramReceive;
import io.flowsock.core.spi.DatagramSendCompletion;
import io.flowsock.core.spi.DatagramTooLongIOException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.SelectionKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * A datagram socket on NIO.2: a non-blocking {@code DatagramChannel} whose receives and sends the
 * port thread does itself, up to the posted count, arming the transport's
 * {@link DatagramSelector} when one finds nothing to do and resuming on the port when the selector
 * says the socket is ready. Nothing here blocks: every call on the channel is non-blocking.
 *
 * <p>Runs only on its port's thread, except {@link #ready}, called by the selector thread, and
 * {@link #drops}, written by it.
 */
final class Nio2Datagram implements DatagramIo {
    final DatagramChannel channel;
    private final CompletionPort port;
    private final DatagramScratch scratch;
    private final DatagramSelector selector;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final Map<List<Object>, MembershipKey> memberships = new HashMap<>();
    volatile long drops = ProcNetUdp.AVAILABLE ? 0 : -1;  // written by the selector thread, read by the port

    // Port thread only: the posted receive and send waiting for readiness, if any.
    private DatagramReceive receive;
    private int receiveCount;
    private DatagramSendCompletion send;
    private ByteBuffer[] sendBuffers;
    private InetSocketAddress[] sendTargets;
    private int sendOffset;
    private int sendLength;
    private boolean closed;
    private IOException selectorFailure;    // set once the selector thread died: posts fail instead of arming

    Nio2Datagram(CompletionPort port, DatagramScratch scratch, DatagramSelector selector, DatagramChannel channel)
            throws IOException {
        this.port = port;
        this.scratch = scratch;
        this.selector = selector;
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        selector.register(this);
    }

    @Override
    public void receive(int count, DatagramReceive completion) {
        receive = completion;
        receiveCount = count;
        tryReceive();
    }

    private void tryReceive() {
        DatagramReceive c = receive;
        if (c == null || closed) {
            return;
        }
        if (scratch.lentToOther(this)) {
            // a handler of another socket's datagrams started this receive: the slab is still theirs
            port.execute(this::tryReceive);
            return;
        }
        scratch.begin();
        int n = 0;
        try {
            for (; n < receiveCount && scratch.hasRoom(); n++) {
                InetSocketAddress from = (InetSocketAddress) channel.receive(scratch.room(n));
                if (from == null) {
                    break;
                }
                scratch.received(n, from);
            }
        } catch (IOException e) {
            if (n == 0) {
                receive = null;
                c.failed(e);
                return;
            }
            // the datagrams before the error are delivered; a lasting error comes back on the next receive
        }
        if (n == 0) {
            armOrFail(SelectionKey.OP_READ);
            return;
        }
        receive = null;
        Object before = scratch.lend(this);
        try {
            c.completed(scratch.datagrams(), scratch.senders(), scratch.truncated(), n);
        } finally {
            scratch.lend(before);
        }
    }

    @Override
    public void send(ByteBuffer[] datagrams, InetSocketAddress[] targets, int offset, int length,
                     DatagramSendCompletion completion) {
        send = completion;
        sendBuffers = datagrams;
        sendTargets = targets;
        sendOffset = offset;
        sendLength = length;
        trySend();
    }

    private void trySend() {
        DatagramSendCompletion c = send;
        if (c == null || closed) {
            return;
        }
        int sent = 0;
        try {
            for (; sent < sendLength; sent++) {
                if (!sendOne(sendBuffers[sendOffset + sent], sendTargets[sendOffset + sent])) {
                    break;
                }
            }
        } catch (IOException e) {
            IOException refused = tooLongOrAsIs(e, sendBuffers[sendOffset + sent].remaining());
            clearSend();
            c.failed(sent, refused);
            return;
        } catch (RuntimeException e) {
            // the JDK refuses some targets unchecked (an IPv6 address from an IPv4 socket:
            // UnsupportedAddressTypeException); thrown on, it would leave this send posted for good
            InetSocketAddress to = sendTargets[sendOffset + sent];
            clearSend();
            c.failed(sent, new IOException("cannot send to " + to + " from " + local + ": " + e, e));
            return;
        }
        if (sent == 0) {
            armOrFail(SelectionKey.OP_WRITE);     // the socket's send buffer is full
            return;
        }
        clearSend();
        c.completed(sent);
    }

    /**
     * The one place the nio2 backend reads an exception's text: the JDK reports a send's
     * {@code EMSGSIZE} only as a plain {@code IOException} with strerror's "Message too long"
     * (Linux). Anything else is passed on as it came.
     */
    static IOException tooLongOrAsIs(IOException e, int length) {
        if (e.getClass() == IOException.class || e instanceof java.net.SocketException) {
            if (String.valueOf(e.getMessage()).contains("Message too long")) {
                return new DatagramTooLongIOException("send: a datagram of " + length
                        + " bytes is longer than UDP allows here (EMSGSIZE: Message too long)", e);
            }
        }
        return e;
    }

    /** Whether the kernel took {@code b}; its position is left where it was. */
    private boolean sendOne(ByteBuffer b, InetSocketAddress target) throws IOException {
        int position = b.position();
        int length = b.remaining();
        try {
            int n = target == null ? channel.write(b) : channel.send(b, target);
            return n > 0 || length == 0;
        } finally {
            b.position(position);
        }
    }

    private void clearSend() {
        send = null;
        sendBuffers = null;
        sendTargets = null;
    }

    /**
     * The selector thread died, so this socket would never hear it is ready again: the receive
     * and send posted now, and every later one, fail instead of waiting for good. Selector thread.
     */
    void selectorFailed(Throwable cause) {
        try {
            port.execute(() -> {
                selectorFailure = new IOException("the datagram selector of this transport failed: " + cause, cause);
                failPosted();
            });
        } catch (RejectedExecutionException stopped) {
            // the port stopped and closed this socket
        }
    }

    /** Port thread: waits for readiness, or fails what is posted once the selector is gone. */
    private void armOrFail(int op) {
        if (selectorFailure != null) {
            failPosted();
        } else {
            selector.arm(this, op);
        }
    }

    /** Port thread: fails what is posted once the selector is gone. */
    private void failPosted() {
        DatagramReceive r = receive;
        if (r != null) {
            receive = null;
            r.failed(selectorFailure);
        }
        DatagramSendCompletion c = send;
        if (c != null) {
            clearSend();
            c.failed(0, selectorFailure);
        }
    }

    /** The selector saw the socket ready for {@code ops}. Selector thread. */
    void ready(int ops) {
        try {
            port.execute(() -> {
                if ((ops & SelectionKey.OP_READ) != 0) {
                    tryReceive();
                }
                if ((ops & SelectionKey.OP_WRITE) != 0) {
                    trySend();
                }
            });
        } catch (RejectedExecutionException stopped) {
            // the port stopped and closed this socket
        }
    }

    @Override
    public void join(InetAddress group, NetworkInterface networkInterface, InetAddress source) throws IOException {
        // the endpoint joins each membership once (DatagramEndpoint keeps them): this only keeps the key to drop
        List<Object> key = membershipKey(group, networkInterface, source);
        MembershipKey m = source == null ? channel.join(group, networkInterface)
                : channel.join(group, networkInterface, source);
        memberships.put(key, m);
    }

    @Override
    public void leave(InetAddress group, NetworkInterface networkInterface, InetAddress source) {
        MembershipKey m = memberships.remove(membershipKey(group, networkInterface, source));
        if (m == null) {
            throw new IllegalStateException("not a member of " + group.getHostAddress() + " on "
                    + networkInterface.getName() + (source != null ? " from " + source.getHostAddress() : ""));
        }
        m.drop();
    }

    private static List<Object> membershipKey(InetAddress group, NetworkInterface ni, InetAddress source) {
        return source == null ? List.of(group, ni) : List.of(group, ni, source);
    }

    @Override
    public long kernelDrops() {
        return drops;
    }

    @Override
    public int receiveBufferSize() {
        return DatagramScratch.ROOM;
    }

    @Override
    public void close(Runnable released) {
        closed = true;
        receive = null;
        clearSend();
        NioChannels.closeQuietly(channel);
        selector.closed(this);
        released.run();       // every receive and send ran on this thread: none can touch a buffer now
    }

    /** The bound address, for the drop counts. Any thread. */
    InetSocketAddress boundAddress() {
        return local;
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
