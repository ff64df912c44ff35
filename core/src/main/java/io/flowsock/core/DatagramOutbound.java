package io.flowsock.core;

import io.flowsock.core.spi.DatagramSendCompletion;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A datagram endpoint's output: the queue of streams (one active at a time), the datagrams the
 * active one offered, one backend send posted at a time over as many of them as are queued, and
 * the sendcap accounting (requested less handed to the kernel never exceeds the cap).
 *
 * <p>Runs only on its endpoint's port thread, except {@link #sendCap()}, which reads what the port
 * publishes.
 */
final class DatagramOutbound implements DatagramSendCompletion {
    private final DatagramEndpoint endpoint;
    private final ArrayDeque<DatagramSend> sends = new ArrayDeque<>();   // head: the active one
    private final ArrayDeque<Datagram> queued = new ArrayDeque<>();      // the active one's, not yet sent
    private ByteBuffer[] buffers = new ByteBuffer[0];
    private InetSocketAddress[] targets = new InetSocketAddress[0];
    private boolean posted;        // a backend send is in flight
    private boolean posting;       // inside post(): a completion that comes inline leaves the re-post to its loop
    private int postedCount;
    private volatile int cap;      // written by any thread (a live change) and by the port, read by queries and the port
    private volatile int inUse;    // written on the port, read by queries: the active send's requested less done

    DatagramOutbound(DatagramEndpoint endpoint, int cap) {
        this.endpoint = endpoint;
        this.cap = cap;
    }

    Tunable sendCap() {
        return new Tunable(cap, inUse);
    }

    void sendCap(int newCap) {
        cap = newCap;
        endpoint.port.dispatch(this::topUp);
    }

    DatagramSend send(DatagramSource source) {
        DatagramSend send = new DatagramSend(endpoint, source);
        source.onStart(send);
        endpoint.port.dispatch(() -> {
            if (!endpoint.active()) {
                send.ended = true;
                send.source.cancel();
                notifyFailed(send, endpoint.closedError("the endpoint is closed"));
                return;
            }
            sends.add(send);
            if (sends.peek() == send) {
                topUp();
            }
        });
        return send;
    }

    void offered(DatagramSend send, Datagram d) {
        if (send != sends.peek() || send.ended) {
            return;                                 // after its end, or never requested: dropped
        }
        if (++send.offered > send.requested) {      // sendcap would no longer bound what waits here
            fail(send, new IllegalStateException("the datagram source offered more than the " + send.requested
                    + " datagrams it was asked for"));
            return;
        }
        int size = d.data().remaining();
        int limit = d.address().getAddress() instanceof Inet4Address ? DatagramOptions.MAX_IPV4_PAYLOAD
                : DatagramOptions.MAX_IPV6_PAYLOAD;
        if (size > limit) {
            fail(send, new DatagramTooLargeException(size, limit, d.address(), null));
            return;
        }
        InetSocketAddress remote = endpoint.remote;
        if (remote != null && !remote.equals(d.address())) {
            fail(send, new DatagramException("this endpoint is connected to " + remote + " and sends only there, not to "
                    + d.address(), d.address(), null));
            return;
        }
        queued.add(d);
        post();
    }

    void completed(DatagramSend send) {
        if (send.ended || send.completed) {
            return;
        }
        send.completed = true;
        if (send == sends.peek()) {
            maybeFinish();
        }
    }

    void failed(DatagramSend send, Throwable error) {
        if (!send.ended) {
            fail(send, error);
        }
    }

    /** Ends {@code send} with {@code error}, once no posted send holds its datagrams. */
    private void fail(DatagramSend send, Throwable error) {
        send.ended = true;
        send.source.cancel();
        if (send != sends.peek()) {
            sends.remove(send);
            notifyFailed(send, error);
            return;
        }
        queued.clear();
        if (posted) {
            send.failure = error;                   // answered when the posted send completes
            return;
        }
        finish(send, error);
    }

    private void post() {
        if (posting) {
            return;
        }
        posting = true;
        try {
            while (!posted && !queued.isEmpty() && endpoint.active()) {
                int n = queued.size();
                if (buffers.length < n) {
                    buffers = new ByteBuffer[Math.max(n, cap)];
                    targets = new InetSocketAddress[buffers.length];
                }
                boolean connected = endpoint.remote != null;
                int i = 0;
                for (Datagram d : queued) {
                    buffers[i] = d.data();
                    targets[i++] = connected ? null : d.address();
                }
                posted = true;
                postedCount = n;
                endpoint.io.send(buffers, targets, 0, n, this);
            }
        } finally {
            posting = false;
        }
    }

    @Override
    public void completed(int sent) {
        sentOrRefused(sent, null);
    }

    @Override
    public void failed(int sent, Throwable error) {
        sentOrRefused(sent, error);
    }

    private void sentOrRefused(int sent, Throwable error) {
        posted = false;
        java.util.Arrays.fill(buffers, 0, postedCount, null);
        java.util.Arrays.fill(targets, 0, postedCount, null);
        DatagramSend send = sends.peek();
        if (send == null || !endpoint.active()) {
            return;                                 // closed meanwhile: release answers every send
        }
        for (int i = 0; i < sent && !queued.isEmpty(); i++) {
            queued.poll();
        }
        send.done += sent;
        if (send.failure != null) {
            finish(send, send.failure);
            return;
        }
        if (error != null) {
            Datagram refused = queued.poll();
            fail(send, refusal(refused, error));
            return;
        }
        topUp();
        maybeFinish();
        post();
    }

    private Throwable refusal(Datagram d, Throwable error) {
        InetSocketAddress to = d != null ? d.address() : endpoint.remote;
        if (error instanceof java.net.PortUnreachableException) {
            return new PeerUnreachableException(to, error);
        }
        if (d != null && error instanceof io.flowsock.core.spi.DatagramTooLongIOException) {
            return new DatagramTooLargeException(d.data().remaining(), -1, to, error);
        }
        return new DatagramException("send to " + to + " failed: " + error, to, error);
    }

    /** Requests what the cap allows beyond what the active send has in flight. */
    private void topUp() {
        DatagramSend send = sends.peek();
        if (send == null || send.ended || send.completed || !endpoint.active()) {
            publish();
            return;
        }
        long want = cap - (send.requested - send.done);
        if (want > 0) {
            send.requested += want;
            publish();
            try {
                send.source.request(want);
            } catch (RuntimeException e) {
                endpoint.callbackFailed("a datagram source's request", e);
            }
        }
    }

    private void maybeFinish() {
        DatagramSend send = sends.peek();
        if (send != null && send.completed && !send.ended && queued.isEmpty() && !posted) {
            finish(send, null);
        }
    }

    /** The active send is over: tell its source, then start the next. */
    private void finish(DatagramSend send, Throwable error) {
        send.ended = true;
        sends.poll();
        queued.clear();
        if (error == null) {
            try {
                send.source.onSent();
            } catch (RuntimeException e) {
                endpoint.callbackFailed("a datagram source's onSent", e);
            }
        } else {
            notifyFailed(send, error);
        }
        publish();
        topUp();
    }

    private void notifyFailed(DatagramSend send, Throwable error) {
        try {
            send.source.onFailed(error);
        } catch (RuntimeException e) {
            endpoint.callbackFailed("a datagram source's onFailed", e);
        }
    }

    private void publish() {
        DatagramSend send = sends.peek();
        int n = send == null || send.ended ? 0 : (int) Math.min(Integer.MAX_VALUE, send.requested - send.done);
        if (inUse != n) {
            inUse = n;
        }
    }

    /** The endpoint is released: every stream fails with {@code cause}. */
    void failAll(Throwable cause) {
        queued.clear();
        for (DatagramSend send : List.copyOf(sends)) {
            if (!send.ended) {
                send.ended = true;
                send.source.cancel();
                notifyFailed(send, cause);
            }
        }
        sends.clear();
        publish();
    }
}
