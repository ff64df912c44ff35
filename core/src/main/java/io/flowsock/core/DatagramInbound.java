package io.flowsock.core;

import io.flowsock.core.internal.BurstDetector;
import io.flowsock.core.spi.DatagramReceive;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A datagram endpoint's input: demand, one backend receive posted at a time for as many datagrams
 * as Automatic Burst Detection chooses within the demand, the copy of each into a right-sized heap
 * buffer, and the truncation count. ABD counts datagrams here: a receive that brought all it
 * posted doubles the count, one that brought fewer than half halves it.
 *
 * <p>Runs only on its endpoint's port thread, except {@link #recvBurst()}, {@link #truncations()}
 * and {@link #request}, which any thread may call.
 */
final class DatagramInbound implements DatagramReceive {
    /** Datagrams one receive takes at most, whatever the cap: each is a receive buffer the backend holds. */
    static final int MAX_BURST = 64;

    private final DatagramEndpoint endpoint;
    private final BurstDetector burst;
    private final int maxSize;
    private DatagramHandler handler;
    private volatile long demand;        // written on the port, read by recvBurst() queries
    private volatile long truncations;   // written on the port, read by queries
    private boolean posted;              // a backend receive is in flight
    private boolean posting;             // inside maybeReceive(): an inline completion leaves the re-post to its loop
    private int postedCount;
    private boolean ended;               // onEnd or onError was signalled, or the input was abandoned

    DatagramInbound(DatagramEndpoint endpoint, int recvBurst, int maxSize) {
        this.endpoint = endpoint;
        this.burst = new BurstDetector(recvBurst);
        this.maxSize = maxSize;
    }

    void start(DatagramHandler h) {
        endpoint.port.dispatch(() -> {
            if (handler != null) {
                return;
            }
            handler = h;
            if (!endpoint.isOpen()) {
                closed();                    // released already; one closing now tells it at release
            } else {
                maybeReceive();              // demand that came before the handler
            }
        });
    }

    void request(long n) {
        endpoint.port.dispatch(() -> {
            long d = demand + n;
            demand = d < 0 ? Long.MAX_VALUE : d;
            maybeReceive();
        });
    }

    void abandon() {
        endpoint.port.dispatch(() -> {
            ended = true;
            demand = 0;
        });
    }

    Tunable recvBurst() {
        return new Tunable(burst.cap(), burst.peek(demand, MAX_BURST));
    }

    void recvBurst(int cap) {
        burst.cap(cap);
    }

    long truncations() {
        return truncations;
    }

    void maybeReceive() {
        if (posting) {
            return;
        }
        posting = true;
        try {
            while (!posted && !ended && handler != null && demand > 0 && endpoint.active()) {
                int n = burst.next(demand, MAX_BURST);
                posted = true;
                postedCount = n;
                endpoint.io.receive(n, this);
            }
        } finally {
            posting = false;
        }
    }

    @Override
    public void completed(ByteBuffer[] data, InetSocketAddress[] senders, boolean[] truncated, int count) {
        burst.record(postedCount, 1, count, 0);
        // The backend's buffers are valid only during this call: a request made from a handler must
        // not post the next receive into them before the last one is copied, so it waits for the loop.
        boolean outer = posting;
        posting = true;
        try {
            deliver(data, senders, truncated, count);
        } finally {
            posting = outer;
            posted = false;
        }
        endpoint.noteDrops();
        if (!outer) {
            maybeReceive();
        }
    }

    private void deliver(ByteBuffer[] data, InetSocketAddress[] senders, boolean[] truncated, int count) {
        for (int i = 0; i < count; i++) {
            ByteBuffer src = data[i];
            int n = src.remaining();
            boolean cut = truncated[i] || n > maxSize;
            if (cut) {
                n = Math.min(n, maxSize);
                truncations++;
            }
            if (ended || !endpoint.active()) {
                continue;                        // nobody wants it any more: dropped
            }
            ByteBuffer copy = ByteBuffer.allocate(n);
            copy.put(0, src, src.position(), n);
            demand--;
            try {
                handler.onDatagram(new Datagram(copy, senders[i], cut));
            } catch (RuntimeException e) {
                endpoint.callbackFailed("a datagram handler's onDatagram", e);
                return;
            }
        }
    }

    @Override
    public void failed(Throwable error) {
        posted = false;
        if (ended || !endpoint.active()) {
            return;
        }
        ended = true;
        InetSocketAddress peer = endpoint.remote;
        Throwable e = error instanceof java.net.PortUnreachableException && peer != null
                ? new PeerUnreachableException(peer, error)
                : new DatagramException("receive on " + endpoint.localAddress() + " failed: " + error,
                        peer != null ? peer : endpoint.localAddress(), error);
        try {
            handler.onError(e);
        } catch (RuntimeException thrown) {
            endpoint.callbackFailed("a datagram handler's onError", thrown);
        }
    }

    /** The endpoint is released: the input ends, then the handler hears the close. */
    void closed() {
        if (handler == null) {
            return;                              // told when it starts
        }
        DatagramHandler h = handler;
        try {
            if (!ended) {
                ended = true;
                h.onEnd();
            }
            h.onClosed();
        } catch (RuntimeException e) {
            endpoint.closeCallbackFailed("a datagram handler", e);
        }
    }
}
