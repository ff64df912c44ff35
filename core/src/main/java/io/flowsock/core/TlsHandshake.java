package io.flowsock.core;

import io.flowsock.core.TlsException.Kind;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The handshake of a {@link TlsIo}, and the post-handshake messages that come with the data (a
 * session ticket, a TLS 1.3 KeyUpdate): runs the engine through them as far as it goes without
 * waiting for the network, hands the handshake's delegated tasks to the {@link TlsTasks} threads,
 * fails the connection when the handshake takes longer than {@link Tls#handshakeTimeout()}, and
 * wraps the engine's own records (close_notify too). A TLS 1.2 renegotiation is refused.
 *
 * <p>While a task runs on a task thread the engine is that task's: {@link #isWaitingForTasks()}
 * tells the rest of the connection to leave it alone, and the handshake goes on on the port once
 * the tasks are done.
 *
 * <p>Runs on the channel's port thread, as its {@link TlsIo} does, with no synchronisation: the
 * only hand-over to a task thread and back goes through the task pool's and the port's queues.
 */
final class TlsHandshake {
    private static final System.Logger LOG = System.getLogger(TlsIo.class.getName());   // the TLS layer's one category
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final TlsIo tls;
    private final TlsNet net;
    private final SSLEngine engine;
    private final Tls spec;
    private final Channel channel;
    private Cancellable timer;
    private boolean underway = true; // the first handshake is not done yet
    private boolean tasksRunning;    // the engine's delegated tasks run on a TLS task thread
    private long startNanos;         // when begin() ran, for the observer's handshake time
    private HandshakeStatus told;    // the last status the observer was told of

    TlsHandshake(TlsIo tls, TlsNet net, SSLEngine engine, Tls spec, Channel channel) {
        this.tls = tls;
        this.net = net;
        this.engine = engine;
        this.spec = spec;
        this.channel = channel;
    }

    /** Whether the first handshake is still going on: no application data moves before it is done. */
    boolean isUnderway() {
        return underway;
    }

    /** Whether the engine belongs to a task on a TLS task thread: nothing on the port touches it then. */
    boolean isWaitingForTasks() {
        return tasksRunning;
    }

    /** Arms the handshake timeout and starts the engine's handshake. */
    void begin() throws SSLException {
        long timeout = spec.handshakeTimeout().toMillis();
        if (timeout > 0) {
            timer = channel.port.schedule(this::timedOut, timeout, TimeUnit.MILLISECONDS);
        }
        startNanos = System.nanoTime();
        if (channel.observer != null) {
            channel.observer.handshakeStep(channel, "started");
        }
        engine.beginHandshake();
    }

    /** Tells the observer of the handshake's next status, once per change. */
    private void step(HandshakeStatus hs) {
        if (channel.observer != null && underway && hs != told) {
            told = hs;
            channel.observer.handshakeStep(channel, hs == HandshakeStatus.NEED_TASK ? "tasks" : hs.name());
        }
    }

    /** The first handshake ended, with {@code failure} when it failed; told to the observer once. */
    void ended(Throwable failure) {
        if (channel.observer != null && startNanos != 0) {
            long nanos = System.nanoTime() - startNanos;
            startNanos = 0;
            channel.observer.handshakeDone(channel, nanos, failure);
        }
    }

    /** Runs the handshake as far as it goes without waiting for the network. */
    void advance() throws SSLException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            step(hs);
            if (!underway && hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED
                    && !"TLSv1.3".equals(engine.getSession().getProtocol())) {
                throw new SSLException("renegotiation refused: flowsock does not renegotiate TLS 1.2 sessions");
            }
            switch (hs) {
                case NEED_TASK -> {
                    if (underway) {
                        net.flush();
                        runTasks();
                        return;
                    }
                    runTasksHere();
                }
                case NEED_WRAP -> {
                    if (!wrap()) {
                        return;
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    net.flush();
                    if (!underway) {
                        return;          // a post-handshake message (TLS 1.3 KeyUpdate) comes with the data
                    }
                    if (!unwrap()) {
                        return;
                    }
                }
                default -> {
                    net.flush();
                    if (underway) {
                        if (engine.isOutboundDone() || engine.isInboundDone()) {
                            throw new SSLHandshakeException("the handshake ended without a session");
                        }
                        underway = false;
                        cancelTimer();
                        ended(null);
                        tls.handshaken();
                    }
                    return;
                }
            }
        }
    }

    /**
     * Wraps a record of the engine's own (a handshake message, a KeyUpdate's answer, close_notify)
     * into the out buffer; false when that buffer must be written first.
     */
    boolean wrap() throws SSLException {
        if (net.isWriting()) {
            return false;
        }
        ByteBuffer out = net.out();
        SSLEngineResult r = engine.wrap(EMPTY, out);
        if (r.getStatus() == Status.BUFFER_OVERFLOW) {
            if (out.position() > 0) {
                net.flush();
                return false;
            }
            net.growOut();
            return true;
        }
        return true;
    }

    /**
     * Hands the engine's delegated tasks (key exchange, certificate path checks) to the TLS task
     * threads, never the port's: a trust manager may read files (the JDK's loads its blocklist on
     * first use) or fetch revocation data. The handshake goes on on the port once they are done.
     */
    private void runTasks() {
        if (tasksRunning) {
            return;
        }
        tasksRunning = true;
        TlsTasks.execute(() -> {
            try {
                for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                    task.run();
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "flowsock: a TLS task failed on " + channel, e);
            }
            try {
                channel.port.execute(() -> {
                    tasksRunning = false;
                    tls.pump();
                });
            } catch (RejectedExecutionException e) {
                // the transport closed while the task ran: the port and its connections are gone
                LOG.log(System.Logger.Level.DEBUG, "flowsock: port closed before a TLS task of " + channel + " ended");
            }
        });
    }

    /**
     * After the handshake, a task is a post-handshake message's (a session ticket to store, a
     * KeyUpdate's keys): it computes, so it runs here, and the engine never holds a view of a
     * lent receive buffer past the read's completion.
     */
    private void runTasksHere() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    /** One handshake message from the ciphertext read; false when more must be read first. */
    private boolean unwrap() throws SSLException {
        ByteBuffer in = net.in();
        if (in == null || !in.hasRemaining()) {
            return readMore();
        }
        ByteBuffer scratch = TlsPlainBuffers.take(1, tls.plaintextSize())[0];
        scratch.clear();
        SSLEngineResult r = engine.unwrap(in, scratch);
        net.releaseInIfEmpty();
        if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
            return readMore();
        }
        if (r.getStatus() == Status.CLOSED) {
            throw new SSLHandshakeException("the peer closed the connection during the handshake");
        }
        if (r.bytesProduced() > 0) {
            throw new SSLHandshakeException("application data before the handshake finished");
        }
        return true;
    }

    /** Posts a ciphertext read if none is; false always (the caller waits for it). */
    private boolean readMore() throws SSLException {
        if (net.hasEnded()) {
            throw new SSLHandshakeException("the peer closed the connection during the handshake");
        }
        net.read();
        return false;
    }

    private void timedOut() {
        if (underway && !net.isClosed()) {
            channel.watchdogs.handshakeTimedOut(spec.handshakeTimeout());
            tls.fail(Kind.HANDSHAKE_TIMEOUT, "no handshake within " + spec.handshakeTimeout().toMillis() + " ms", null);
        }
    }

    void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
