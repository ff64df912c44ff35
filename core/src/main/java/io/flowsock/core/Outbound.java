package io.flowsock.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A channel's output: the {@link OutboundOp operations} in the order they were asked for, the one
 * active {@link Send} and its credit ({@code sendCap}); the buffers queued for writing and the
 * gathering write in flight are its {@link Writes}.
 *
 * <p>Operations not reached yet wait in {@code pending}: sends, shutdown, close. The head is
 * reached when no send is active; a send then becomes the active one, the others move to
 * {@code due}, where each waits for the buffers queued before it to be written. A send's end
 * enters {@code due} when the send completes, so the next send can be active while the last
 * bytes of the previous one are still being written.
 *
 * <p>Runs only on its channel's port thread, except the volatile fields' queries and
 * {@link #sendCap(int)}.
 */
final class Outbound {
    private final Channel channel;
    private volatile int sendCap;        // written by any thread (live change), read on the port
    private volatile int outstanding;    // written on the port, read by sendCap() queries: buffers asked for, not written

    // Port thread only. The two operation queues are created on first use: most idle connections never need them.
    private ArrayDeque<OutboundOp> pending;                        // sends, shutdown, close, not reached yet
    private ArrayDeque<OutboundOp> due;                            // send ends, shutdown, close, waiting for writes
    // Writes.NONE (shared, empty, never written) until the first buffer is offered: an idle
    // connection holds no queue.
    private Writes writes = Writes.NONE;
    private Send active;                 // the send asked for buffers now, or null between sends
    private boolean pumping;             // inside pump(): a completion run inline only asks for another pass
    private boolean pumpAgain;
    private int corked;                  // > 0 while a source is asked for buffers or a hand-off drains: writes wait for the batch
    private String sendsRefused;         // non-null once shutdown or close was asked: why new sends fail
    private boolean outputShut;          // FIN was sent

    Outbound(Channel channel) {
        this.channel = channel;
        this.sendCap = channel.options.sendCap();
    }

    Send send(SendSource source) {
        Send s = new Send(channel, source);
        source.onStart(s);
        channel.port.dispatch(() -> {
            if (channel.isClosed() || sendsRefused != null) {
                s.ended = true;
                source.onFailed(new ConnectionClosedException(channel.remoteAddress(),
                        channel.isClosed() ? "connection is closed" : sendsRefused));
                return;
            }
            submit(s);
        });
        return s;
    }

    CompletableFuture<Void> shutdownOutput() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        channel.port.dispatch(() -> {
            if (channel.isClosed()) {
                done.completeExceptionally(new ConnectionClosedException(channel.remoteAddress(),
                        "connection is closed"));
                return;
            }
            refuse("output was shut down");
            submit(new Shutdown(done));
        });
        return done;
    }

    /** From now on new sends fail, naming {@code why}; the first reason given stays. */
    void refuse(String why) {
        if (sendsRefused == null) {
            sendsRefused = why;
        }
    }

    void submit(OutboundOp op) {
        if (active == null && (pending == null || pending.isEmpty()) && !channel.isClosed()) {
            reach(op);              // nothing ahead of it: no queue (an idle echo's send holds none)
        } else {
            if (pending == null) {
                pending = new ArrayDeque<>(1);
            }
            pending.add(op);
        }
        advance();
    }

    /** Reaches pending operations while no send is active. */
    private void advance() {
        while (active == null && pending != null && !channel.isClosed()) {
            OutboundOp op = pending.poll();
            if (op == null) {
                break;
            }
            reach(op);
        }
        pump();
    }

    /** The head of the order is reached: a send becomes active, anything else waits for the bytes before it. */
    private void reach(OutboundOp op) {
        if (op instanceof Send s) {
            if (s.ended) {
                enqueueDue(new SendEnd(s, writes.queued()));   // completed before its turn
            } else {
                active = s;
                grant();
            }
        } else {
            enqueueDue(op);
        }
    }

    private void enqueueDue(OutboundOp op) {
        if (due == null) {
            due = new ArrayDeque<>(2);
        }
        due.add(op);
    }

    /**
     * Requests from the active stream what sendCap leaves room for. The buffers a source offers
     * inside its {@code request} (a synchronous publisher) go out in one gathering write after it
     * returns, not the first alone and the rest behind it; the caller pumps.
     */
    private void grant() {
        Send s = active;
        if (s == null || channel.isClosed()) {
            return;
        }
        int room = sendCap - outstanding;
        if (room > 0) {
            outstanding += room;
            s.requested += room;
            corked++;
            try {
                s.source.request(room);
            } catch (RuntimeException e) {
                channel.callbackFailed("request", e);
            } finally {
                corked--;
            }
        }
    }

    /** Writes wait until the matching {@link #uncork()}: signals handed over together go out together. */
    void cork() {
        corked++;
    }

    void uncork() {
        if (--corked == 0) {
            pump();
        }
    }

    /** Whether a batch of buffers is still being handed over, so a write now would take only part of it. */
    private boolean holding() {
        return corked > 0 || channel.in.isDelivering();
    }

    void offered(Send s, ByteBuffer b) {
        if (channel.isClosed() || s.ended) {
            return;                          // the send was already answered; a straggler is dropped
        }
        if (s != active || s.received >= s.requested) {
            channel.terminate(new IllegalStateException("a send offered a buffer it was not asked for (sendCap "
                    + sendCap + ", requested " + s.requested + ", received " + s.received + ")"), true);
            return;
        }
        s.received++;
        if (writes == Writes.NONE) {
            writes = new Writes(channel, this);
        }
        writes.add(b);
        if (!holding()) {
            pump();
        }
    }

    void completed(Send s) {
        if (s.ended || channel.isClosed()) {
            return;
        }
        s.ended = true;
        if (s != active) {
            return;                          // still waiting its turn: advance() queues its end
        }
        outstanding -= (int) (s.requested - s.received);
        enqueueDue(new SendEnd(s, writes.queued()));
        active = null;
        advance();
    }

    void failed(Send s, Throwable error) {
        if (!s.ended && !channel.isClosed()) {
            channel.terminate(error, true);
        }
    }

    /**
     * Retires written buffers and due operations, refills credit, starts the next gathering write.
     * Flattened into a loop because completions may run inside the call that posted them.
     */
    void pump() {
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        try {
            do {
                pumpAgain = false;
                int retired = retire();
                if (channel.isClosed()) {
                    return;
                }
                if (retired > 0) {
                    grant();
                }
                if (!writes.isPending() && !holding() && !writes.isEmpty()) {
                    writes.start();
                }
            } while (pumpAgain && !channel.isClosed());
        } finally {
            pumping = false;
        }
    }

    /**
     * Retires the written buffers and runs what they were due before. Each buffer leaves the
     * in-flight count as it retires, so a send's {@code onSent}, run in the same pass, already
     * sees sendCap's {@code inUse} without its buffers.
     */
    private int retire() {
        int retired = 0;
        while (!writes.isPending() && !channel.isClosed()) {
            if (isDue(due == null ? null : due.peek())) {
                run(due.poll());
            } else if (writes.retireHead()) {
                retired++;
                outstanding--;
            } else {
                break;
            }
        }
        return retired;
    }

    /** Whether every buffer queued before {@code op} is written; shutdown and close come after all buffers. */
    private boolean isDue(OutboundOp op) {
        if (op instanceof SendEnd end) {
            return writes.written() >= end.at();
        }
        return op != null && writes.isEmpty();
    }

    private void run(OutboundOp op) {
        if (op instanceof SendEnd end) {
            try {
                end.send().source.onSent();
            } catch (RuntimeException e) {
                channel.callbackFailed("onSent", e);
            }
        } else if (op instanceof Shutdown shutdown) {
            if (shutdownIo()) {
                shutdown.done().complete(null);
                channel.closeIfBothEnded();
            } else {
                shutdown.done().completeExceptionally(new ConnectionClosedException(channel.remoteAddress(),
                        "shutdownOutput failed; the connection is closed"));
            }
        } else if (op instanceof Close && shutdownIo()) {
            channel.finSentForClose();
        }
    }

    private boolean shutdownIo() {
        if (outputShut) {
            return true;
        }
        try {
            channel.io.shutdownOutput();
            outputShut = true;
            if (channel.observer != null) {
                channel.observer.outputShut(channel);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            channel.terminate(new ConnectionResetException(channel.remoteAddress(), e), false);
            return false;
        }
    }

    /**
     * The channel was released: the loans go back to the backend, and every send, send end and
     * shutdown still waiting fails with {@code cause}, or with a {@link ConnectionClosedException}
     * when it closed without one. That exception is made only when something waits: most
     * connections close with nothing queued, and filling in a stack trace on every close was 2 %
     * of a hello server's CPU (perf).
     */
    void failAll(Throwable cause) {
        Send current = active;
        active = null;
        outstanding = 0;
        writes.clear();                      // called at release: the backend is done with the socket
        if (current == null && (due == null || due.isEmpty()) && (pending == null || pending.isEmpty())) {
            return;
        }
        Throwable error = cause != null ? cause
                : new ConnectionClosedException(channel.remoteAddress(), "connection closed before the send was written");
        if (current != null) {
            failSend(current, error);
        }
        failEach(due, error);
        failEach(pending, error);
    }

    private void failEach(ArrayDeque<OutboundOp> ops, Throwable error) {
        if (ops == null) {
            return;
        }
        for (OutboundOp op : ops) {
            if (op instanceof Send s) {
                failSend(s, error);
            } else if (op instanceof SendEnd end) {
                failSend(end.send(), error);
            } else if (op instanceof Shutdown shutdown) {
                shutdown.done().completeExceptionally(error);
            }
        }
        ops.clear();
    }

    private void failSend(Send s, Throwable error) {
        boolean producing = !s.ended;
        s.ended = true;
        try {
            if (producing) {
                s.source.cancel();
            }
            s.source.onFailed(error);
        } catch (RuntimeException e) {
            channel.closeCallbackFailed("a send's source", e);
        }
    }

    /** Nothing is queued, active or being written. */
    boolean isIdle() {
        return active == null && (pending == null || pending.isEmpty()) && (due == null || due.isEmpty())
                && writes.isEmpty();
    }

    boolean isWritePending() {
        return writes.isPending();
    }

    boolean isOutputShut() {
        return outputShut;
    }

    Tunable sendCap() {
        return new Tunable(sendCap, Math.max(0, outstanding));
    }

    void sendCap(int cap) {
        sendCap = cap;
        channel.port.dispatch(() -> {
            grant();
            pump();
        });
    }

    // ------------------------------------------------------------------ the operations besides Send

    /** The end of {@code send}: due once the first {@code at} buffers of the channel are written; then onSent. */
    record SendEnd(Send send, long at) implements OutboundOp {
    }

    /** FIN after everything before it; {@code done} completes once it is sent, or fails. */
    record Shutdown(CompletableFuture<Void> done) implements OutboundOp {
    }

    /** A graceful close's FIN after everything before it; then the input is drained to the peer's FIN. */
    record Close() implements OutboundOp {
        static final Close INSTANCE = new Close();
    }
}
