package io.flowsock.core;

import io.flowsock.core.internal.Checks;
import io.flowsock.core.internal.DatagramAccess;
import io.flowsock.core.internal.PortChannels;
import io.flowsock.core.spi.DatagramIo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One UDP socket on the completion-port core: receives posted only against demand, as many
 * datagrams per receive as Automatic Burst Detection chooses (never past the demand); outbound
 * streams sent in order at most {@code sendCap} datagrams ahead of their hand-over to the kernel;
 * multicast membership; truncation and kernel drop counts. Opened by
 * {@link Transport#openDatagram} or {@link Transport#connectDatagram}. The reactive
 * {@code UdpServer} and {@code UdpClient} are thin layers over this class.
 *
 * <p><b>Threading.</b> Public methods are safe from any thread and hand their work to the
 * endpoint's port. Every callback runs on the port thread.
 *
 * <p><b>Buffers.</b> Each received datagram is copied into a right-sized heap buffer that the
 * handler owns for good. Datagrams offered to a {@link DatagramSend} belong to the endpoint until
 * that send ends.
 *
 * <p><b>Lifecycle.</b> Open until {@link #dispose()}, a callback that throws, or its transport's
 * close; {@link #onClose()} completes in every case, after the socket is closed and every pending
 * operation has been answered. A failed receive or send ends that input or that stream, not the
 * endpoint.
 */
public final class DatagramEndpoint {
    private static final System.Logger LOG = System.getLogger(DatagramEndpoint.class.getName());

    static {
        DatagramAccess.install(DatagramEndpoint::new);
    }

    final CompletionPort port;
    final DatagramIo io;
    private final DatagramOptions options;
    private final InetSocketAddress localAddress;
    final InetSocketAddress remote;          // null: not connected
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();   // set once by start(), any thread
    final DatagramInbound in;
    final DatagramOutbound out;
    private final Consumer<DatagramEndpoint> onReleased;   // the port registry's, run once at release
    private boolean closed;                 // port only: set once by terminate
    private volatile long drops;            // written on the port after each receive and query, read by drops()
    private final Set<Membership> memberships = new HashSet<>();   // port only

    private DatagramEndpoint(CompletionPort port, DatagramIo io, DatagramOptions options,
                             Consumer<DatagramEndpoint> onReleased) {
        this.port = Objects.requireNonNull(port, "port");
        this.io = Objects.requireNonNull(io, "io");
        this.options = Objects.requireNonNull(options, "options");
        this.onReleased = Objects.requireNonNull(onReleased, "onReleased");
        this.localAddress = io.localAddress();
        this.remote = io.remoteAddress();
        this.in = new DatagramInbound(this, options.recvBurst(), options.maxDatagramSize());
        this.out = new DatagramOutbound(this, options.sendCap());
        this.drops = io.kernelDrops();
    }

    public CompletionPort port() {
        return port;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The connected peer; empty for an endpoint that sends anywhere and receives from anyone. */
    public Optional<InetSocketAddress> remoteAddress() {
        return Optional.ofNullable(remote);
    }

    public DatagramOptions options() {
        return options;
    }

    public boolean isOpen() {
        return !closeFuture.isDone();
    }

    /** Completes on the port thread once the endpoint is closed and its resources released. */
    public CompletableFuture<Void> onClose() {
        return closeFuture;
    }

    // ------------------------------------------------------------------ inbound

    /**
     * Sets the handler that gets what is received. Once per endpoint: a second call throws
     * {@link IllegalStateException}. On an endpoint already closed the handler gets {@code onEnd}
     * and {@code onClosed} at once. Returns this endpoint.
     */
    public DatagramEndpoint start(DatagramHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(this + " has a handler already; an endpoint's input is started once");
        }
        in.start(handler);
        return this;
    }

    /** Allows {@code n} more datagrams to the handler; receives are posted only against it. */
    public void request(long n) {
        Checks.positive("n", n);
        in.request(n);
    }

    /** Nobody wants the input any more: no receive is posted from now on; what arrives is left to the kernel. */
    public void abandonInput() {
        in.abandon();
    }

    // ------------------------------------------------------------------ outbound

    /** Starts an outbound stream pulled from {@code source}; streams are sent one after another. */
    public DatagramSend send(DatagramSource source) {
        return out.send(Objects.requireNonNull(source, "source"));
    }

    // ------------------------------------------------------------------ multicast

    /**
     * Joins {@code group} on {@code networkInterface} for datagrams from any source. The endpoint
     * keeps its memberships itself, so every backend answers alike: the same join again completes
     * and changes nothing; an any-source join where the group is joined source-specific on that
     * interface (or the other way round), and a leave of what is not joined, fail with an
     * {@link IllegalStateException} naming the membership; what the kernel refuses fails with a
     * {@link DatagramException}.
     */
    public CompletableFuture<Void> join(InetAddress group, NetworkInterface networkInterface) {
        return membership(true, group, networkInterface, null);
    }

    /** Joins {@code group} on {@code networkInterface} for datagrams from {@code source} only (SSM). */
    public CompletableFuture<Void> join(InetAddress group, NetworkInterface networkInterface, InetAddress source) {
        return membership(true, group, networkInterface, Objects.requireNonNull(source, "source"));
    }

    /** Leaves an any-source membership joined with the same arguments. */
    public CompletableFuture<Void> leave(InetAddress group, NetworkInterface networkInterface) {
        return membership(false, group, networkInterface, null);
    }

    /** Leaves a source-specific membership joined with the same arguments. */
    public CompletableFuture<Void> leave(InetAddress group, NetworkInterface networkInterface, InetAddress source) {
        return membership(false, group, networkInterface, Objects.requireNonNull(source, "source"));
    }

    private CompletableFuture<Void> membership(boolean join, InetAddress group, NetworkInterface ni,
                                               InetAddress source) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(ni, "networkInterface");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("group must be a multicast address, was " + group.getHostAddress());
        }
        Membership m = new Membership(group, ni, source);
        CompletableFuture<Void> done = new CompletableFuture<>();
        port.dispatch(() -> {
            try {
                if (closed) {
                    throw new ConnectionClosedException(localAddress, "the endpoint is closed");
                }
                // Kept here, not left to the backend: the JDK answers a second join with the key it
                // already has and the kernel with EADDRINUSE, so only this set gives both backends one answer.
                if (join) {
                    if (!memberships.contains(m)) {
                        for (Membership other : memberships) {
                            if (other.conflictsWith(m)) {
                                throw new IllegalStateException("cannot " + m.describe("join") + ": it is joined "
                                        + (other.source == null ? "for any source" : "source-specific")
                                        + " already; leave that first");
                            }
                        }
                        io.join(group, ni, source);
                        memberships.add(m);
                    }
                } else {
                    if (!memberships.contains(m)) {
                        throw new IllegalStateException("cannot " + m.describe("leave") + ": not a member"
                                + (source != null ? " for that source" : ""));
                    }
                    io.leave(group, ni, source);
                    memberships.remove(m);
                }
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e instanceof IOException
                        ? new DatagramException(m.describe(join ? "join" : "leave") + " failed: " + e.getMessage(),
                                localAddress, e)
                        : e);
            }
        });
        return done;
    }

    /** One membership as joined; the endpoint's set of them is touched on the port thread only. */
    private record Membership(InetAddress group, NetworkInterface ni, InetAddress source) {
        /** The same group on the same interface, once for any source and once source-specific. */
        boolean conflictsWith(Membership m) {
            return group.equals(m.group) && ni.equals(m.ni) && (source == null) != (m.source == null);
        }

        String describe(String verb) {
            return verb + " " + group.getHostAddress() + " on " + ni.getName()
                    + (source != null ? " from " + source.getHostAddress() : "");
        }
    }

    // ------------------------------------------------------------------ tunables and counts

    /** (cap, datagrams requested from the active send and not yet handed to the kernel). */
    public Tunable sendCap() {
        return out.sendCap();
    }

    /** Changes sendCap live: a higher cap requests the difference at once, a lower one waits for sends. */
    public void sendCap(int cap) {
        out.sendCap(Checks.positive("sendCap", cap));
    }

    /** (cap, datagrams the next receive will post: ABD's choice within cap and demand; 0 without demand). */
    public Tunable recvBurst() {
        return in.recvBurst();
    }

    /** Changes recvBurst from the next receive; 1 turns ABD off. */
    public void recvBurst(int cap) {
        in.recvBurst(Checks.positive("recvBurst", cap));
    }

    /** Datagrams that arrived longer than {@link DatagramOptions#maxDatagramSize()} and were cut (each also flagged). */
    public long truncated() {
        return in.truncations();
    }

    /**
     * Datagrams the kernel dropped for this socket because its receive buffer was full, as the
     * port last read it, or -1 when the backend cannot tell. Each receive updates it from what the
     * backend knows without a system call (io_uring: the counter the last datagram carried); each call
     * also asks the kernel for the exact count, which the next call returns.
     */
    public long drops() {
        if (isOpen()) {
            PortChannels.onPort(port, this::refreshDrops);   // dropped if the transport stopped meanwhile
        }
        return drops;
    }

    /** Reads the exact count, which may cost the backend a system call: done when drops are asked for. */
    void refreshDrops() {
        if (!closed) {
            raiseDrops(io.kernelDrops());
        }
    }

    /** After each receive: the count as the backend already knows it, without a system call. */
    void noteDrops() {
        if (!closed) {
            raiseDrops(io.reportedDrops());
        }
    }

    /** The counter only grows (a backend that cannot tell reads -1 throughout). */
    private void raiseDrops(long d) {
        if (d > drops) {
            drops = d;
        }
    }

    // ------------------------------------------------------------------ close

    /** Closes at once: pending sends fail with {@link ConnectionClosedException}, the input ends. */
    public void dispose() {
        PortChannels.onPort(port, this::terminate);      // a stopped port closed every socket it had
    }

    /** Whether the endpoint still takes work: not yet closing. Port thread. */
    boolean active() {
        return !closed;
    }

    ConnectionClosedException closedError(String what) {
        return new ConnectionClosedException(remote != null ? remote : localAddress, what);
    }

    private void terminate() {
        if (closed) {
            return;
        }
        closed = true;
        io.close(this::released);
    }

    private void released() {
        out.failAll(closedError("the endpoint closed before the datagrams were sent"));
        in.closed();
        onReleased.accept(this);
        closeFuture.complete(null);
    }

    /** A callback threw on the port thread: the endpoint is closed, and the error logged. */
    void callbackFailed(String callback, RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "flowsock: " + callback + " threw on " + this + "; closing it", e);
        terminate();
    }

    void closeCallbackFailed(String who, RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "flowsock: " + who + " threw while " + this + " closed", e);
    }

    @Override
    public String toString() {
        return "DatagramEndpoint[" + localAddress + (remote != null ? " <-> " + remote : "") + "]";
    }
}
