package io.flowsock.core;

import io.flowsock.core.TlsException.Kind;
import io.flowsock.core.spi.ReadCompletion;
import io.flowsock.core.spi.SocketIo;
import io.flowsock.core.spi.WriteCompletion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * TLS between a {@link Channel} and its backend's socket: the channel posts reads and writes of
 * plaintext as it would on any socket (against demand, at most {@code sendCap} ahead), and this
 * layer turns them into reads and writes of ciphertext through the JDK's {@link SSLEngine}. So
 * demand, Automatic Burst Detection, sendcap, half-close, graceful close and the watchdogs work
 * the same on both backends, with and without TLS.
 *
 * <p>Reads: ciphertext is read only while the channel has a read posted (or the handshake needs
 * it), and unwrapped only into that read's buffers, so a subscriber that stops requesting stops
 * the peer through TCP; what one read brought beyond the demand stays as ciphertext (at most one
 * read's worth). Writes: one plaintext write is wrapped into one ciphertext buffer and completes
 * once that buffer is written, so {@code sendCap} counts plaintext buffers as before.
 * {@link #shutdownOutput()} sends close_notify, then FIN, and reading goes on (TLS 1.3
 * half-close). A peer's close_notify ends the input; a FIN without it is a truncation.
 *
 * <p>Runs only on the channel's port thread, as every {@link SocketIo} does.
 */
final class TlsIo implements SocketIo {
    private static final System.Logger LOG = System.getLogger(TlsIo.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** The most plaintext one record carries: a read is full, for Automatic Burst Detection, when each buffer got that. */
    private static final int MAX_PLAINTEXT = 16_384;
    /** How long an alert for the peer may take to go out before the connection is closed anyway. */
    private static final long ALERT_MILLIS = 1_000;
    /** The port threads' plaintext buffers: the core copies or consumes them within a read's completion. */
    private static final ThreadLocal<ByteBuffer[]> PLAIN = new ThreadLocal<>();

    private final SocketIo net;
    private final Channel channel;
    private final SSLEngine engine;
    private final Tls spec;
    private final NetRead netRead = new NetRead();
    private final NetWrite netWrite = new NetWrite();
    private int appSize;
    private Cancellable handshakeTimer;
    /** Completed on the port when the handshake is done, failed when the connection closes before. */
    final CompletableFuture<Void> handshakeDone = new CompletableFuture<>();

    private ByteBuffer netIn;        // ciphertext read and not unwrapped, ready for reading; null when none
    private boolean netInLent;       // netIn is the port's receive buffer, valid only in the read's completion
    private ByteBuffer netOut;       // ciphertext wrapped: being filled, or flipped while written; null when none
    private boolean reading;         // a ciphertext read is posted
    private boolean writing;         // a ciphertext write is posted (netOut is flipped)
    private boolean handshaking = true;
    private boolean tasksRunning;    // the engine's delegated tasks run on a TLS task thread
    private boolean pumping;         // a pass of pump() is on the stack
    private boolean pumpAgain;       // something changed during that pass: it goes round once more
    private boolean netEnded;        // the peer's FIN arrived
    private boolean finWanted;       // shutdownOutput(): close_notify, then FIN
    private boolean finSent;
    private boolean closed;          // close() ran: nothing more is posted
    private TlsException failure;    // set once; the connection closes after the alert went out
    private Runnable pendingClose;   // a graceful close waiting for close_notify and FIN to go out

    private ReadCompletion plainRead;    // the channel's posted read, not answered yet
    private int plainCount;
    private ByteBuffer[] plainSrcs;      // the channel's posted write, not answered yet
    private int plainOffset;
    private int plainLength;
    private WriteCompletion plainWrite;
    private long plainWrapped = -1;      // bytes of plainWrite in netOut, once wrapped; -1 before

    TlsIo(SocketIo net, Tls spec, Channel channel) {
        this.net = net;
        this.spec = spec;
        this.channel = channel;
        this.engine = spec.newEngine(net.remoteAddress());
        this.appSize = engine.getSession().getApplicationBufferSize();
    }

    /** Begins the handshake; from the port once the channel is built. */
    void start() {
        if (closed) {
            return;
        }
        long timeout = spec.handshakeTimeout().toMillis();
        if (timeout > 0) {
            handshakeTimer = channel.port.schedule(this::handshakeTimedOut, timeout, TimeUnit.MILLISECONDS);
        }
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            fail(Kind.HANDSHAKE, e);
            return;
        }
        pump();
    }

    /** The engine, for what the session negotiated. */
    SSLEngine engine() {
        return engine;
    }

    // ------------------------------------------------------------------ SocketIo

    @Override
    public void read(int count, boolean small, ReadCompletion completion) {
        plainRead = completion;
        plainCount = count;
        pump();
    }

    @Override
    public void write(ByteBuffer[] srcs, int offset, int length, WriteCompletion completion) {
        plainSrcs = srcs;
        plainOffset = offset;
        plainLength = length;
        plainWrite = completion;
        plainWrapped = -1;
        pump();
    }

    @Override
    public void shutdownOutput() throws IOException {
        finWanted = true;
        if (!handshaking && !tasksRunning && !closed && failure == null && plainWrite == null && !writing) {
            // Now, not on the pump's next pass: the channel may close right after this returns
            // (the peer's FIN came first), and close_notify must be out before the socket closes.
            // Safe inside a pass: the channel's writes are done and netOut is idle.
            closeOutput();
        }
        pump();
    }

    @Override
    public void close(boolean reset, Runnable released) {
        closed = true;
        cancelHandshakeTimer();
        if (!reset && failure == null && (writing || finWanted && !finSent)) {
            // A graceful close right after shutdownOutput (the peer's FIN came first): close_notify
            // and FIN are still on their way, and closing now would cut them off. Close once they
            // are out, or after ALERT_MILLIS if the peer does not take them.
            pendingClose = released;
            channel.port.schedule(this::closeNow, ALERT_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        closeNet(reset, released);
    }

    /** The deferred close: what was still to go out is out, or the wait is over. */
    private void closeNow() {
        Runnable released = pendingClose;
        pendingClose = null;
        if (released != null) {
            closeNet(false, released);
        }
    }

    private void closeNet(boolean reset, Runnable released) {
        net.close(reset, () -> {
            if (!handshakeDone.isDone()) {
                handshakeDone.completeExceptionally(failure != null ? failure
                        : new ConnectionClosedException(remoteAddress(), "connection closed before the TLS handshake was done"));
            }
            answerClosed();
            netIn = null;
            netInLent = false;
            netOut = null;
            released.run();
        });
    }

    @Override
    public int smallBufferSize() {
        return appSize;
    }

    @Override
    public InetSocketAddress localAddress() {
        return net.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return net.remoteAddress();
    }

    // ------------------------------------------------------------------ the engine

    /**
     * Moves everything that can move now: handshake, the channel's write, its read, close_notify.
     * Completions may come inline (a write or read that finishes at once, a channel that posts its
     * next read from the completion of the last), so a call made while one runs only asks the
     * running one to go round again: one pass at a time touches the engine and the buffers.
     */
    private void pump() {
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        try {
            do {
                pumpAgain = false;
                pumpOnce();
            } while (pumpAgain);
        } finally {
            pumping = false;
        }
    }

    private void pumpOnce() {
        if (closed || failure != null || tasksRunning) {
            return;                  // while a task runs on another thread, nothing here touches the engine
        }
        try {
            if (handshaking || engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
                handshake();
                if (handshaking) {
                    return;
                }
            }
            serveWrite();
            serveRead();
            closeOutput();
        } catch (SSLException e) {
            fail(handshaking || e instanceof SSLHandshakeException ? Kind.HANDSHAKE : Kind.RECORD, e);
        } catch (IOException e) {
            channel.terminate(new ConnectionResetException(remoteAddress(), e), false);
        }
    }

    /** Runs the handshake as far as it goes without waiting for the network. */
    private void handshake() throws SSLException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (!handshaking && hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED
                    && !"TLSv1.3".equals(engine.getSession().getProtocol())) {
                throw new SSLException("renegotiation refused: flowsock does not renegotiate TLS 1.2 sessions");
            }
            switch (hs) {
                case NEED_TASK -> {
                    if (handshaking) {
                        flush();
                        runTasks();
                        return;
                    }
                    runTasksHere();
                }
                case NEED_WRAP -> {
                    if (!wrap(EMPTY)) {
                        return;
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    flush();
                    if (!handshaking) {
                        return;          // a post-handshake message (TLS 1.3 KeyUpdate) comes with the data
                    }
                    if (!unwrapHandshake()) {
                        return;
                    }
                }
                default -> {
                    flush();
                    if (handshaking) {
                        if (engine.isOutboundDone() || engine.isInboundDone()) {
                            throw new SSLHandshakeException("the handshake ended without a session");
                        }
                        handshaking = false;
                        cancelHandshakeTimer();
                        appSize = engine.getSession().getApplicationBufferSize();
                        handshakeDone.complete(null);
                    }
                    return;
                }
            }
        }
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
            channel.port.execute(() -> {
                tasksRunning = false;
                pump();
            });
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

    /** Wraps {@code src} (or a handshake message) into netOut; false when netOut must be written first. */
    private boolean wrap(ByteBuffer src) throws SSLException {
        if (writing) {
            return false;
        }
        ensureNetOut();
        SSLEngineResult r = engine.wrap(src, netOut);
        if (r.getStatus() == Status.BUFFER_OVERFLOW) {
            if (netOut.position() > 0) {
                flush();
                return false;
            }
            netOut = ByteBuffer.allocateDirect(engine.getSession().getPacketBufferSize());
            return true;
        }
        return true;
    }

    /** One handshake message from netIn; false when more ciphertext must be read first. */
    private boolean unwrapHandshake() throws SSLException {
        if (netIn == null || !netIn.hasRemaining()) {
            return readNet();
        }
        ByteBuffer scratch = plain(1)[0];
        scratch.clear();
        SSLEngineResult r = engine.unwrap(netIn, scratch);
        releaseNetInIfEmpty();
        if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
            return readNet();
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
    private boolean readNet() throws SSLException {
        if (netEnded) {
            if (handshaking) {
                throw new SSLHandshakeException("the peer closed the connection during the handshake");
            }
            return false;
        }
        if (!reading && !closed) {
            keepLeftover();
            reading = true;
            net.read(1, false, netRead);
        }
        return false;
    }

    /** Wraps the channel's posted write into netOut and writes it; it completes when that is written. */
    private void serveWrite() throws SSLException {
        if (plainWrite == null || plainWrapped >= 0 || writing) {
            return;
        }
        ensureNetOut();
        long consumed = 0;
        while (true) {
            SSLEngineResult r = engine.wrap(plainSrcs, plainOffset, plainLength, netOut);
            if (r.getStatus() == Status.CLOSED) {
                throw new SSLException("the output is closed (close_notify was sent)");
            }
            if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                if (netOut.position() > 0) {
                    break;
                }
                netOut = ByteBuffer.allocateDirect(engine.getSession().getPacketBufferSize());
                continue;
            }
            consumed += r.bytesConsumed();
            if (r.bytesConsumed() == 0 || !anyRemaining(plainSrcs, plainOffset, plainLength)) {
                break;
            }
        }
        plainWrapped = consumed;
        flush();
    }

    /** Unwraps into the channel's posted read as far as demand goes, or reads more ciphertext. */
    private void serveRead() throws SSLException {
        if (plainRead == null) {
            return;
        }
        ByteBuffer[] plain = plain(plainCount);
        for (int i = 0; i < plainCount; i++) {
            plain[i].clear();
        }
        int current = 0;
        long bytes = 0;
        boolean peerClosed = false;
        while (netIn != null && netIn.hasRemaining() && current < plainCount) {
            SSLEngineResult r = engine.unwrap(netIn, plain[current]);
            Status s = r.getStatus();
            if (s == Status.OK) {
                bytes += r.bytesProduced();
                HandshakeStatus hs = r.getHandshakeStatus();
                if (hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED) {
                    handshake();         // a post-handshake message: a ticket to check, a KeyUpdate to answer
                    if (tasksRunning) {
                        break;           // the engine is the task's until it is done
                    }
                }
            } else if (s == Status.BUFFER_OVERFLOW) {
                if (plain[current].position() == 0) {
                    throw new SSLException("a record larger than the session's buffers (" + appSize + " bytes)");
                }
                current++;
            } else if (s == Status.BUFFER_UNDERFLOW) {
                break;
            } else {
                peerClosed = true;       // close_notify
                break;
            }
        }
        releaseNetInIfEmpty();
        if (bytes > 0) {
            int filled = 0;
            for (int i = 0; i < plainCount && plain[i].position() > 0; i++) {
                plain[i].flip();
                filled++;
            }
            ReadCompletion c = plainRead;
            plainRead = null;
            c.completed(plain, filled, plainCount, Math.min(appSize, MAX_PLAINTEXT), bytes);
            return;
        }
        if (tasksRunning) {
            return;                      // pump() comes back once the task is done
        }
        if (peerClosed || engine.isInboundDone()) {
            ReadCompletion c = plainRead;
            plainRead = null;
            c.endOfStream();
            return;
        }
        if (netEnded) {
            failTruncated();
            return;
        }
        readNet();
    }

    /** After shutdownOutput(): close_notify once the channel's writes are out, then FIN. */
    private void closeOutput() throws IOException {
        if (handshaking) {
            return;                  // after the handshake: the peer could not read it before
        }
        if (!finWanted || finSent || plainWrite != null || writing) {
            return;
        }
        if (!engine.isOutboundDone()) {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                if (!wrap(EMPTY)) {
                    return;              // netOut full: the flush's completion comes back here
                }
            }
            flush();
            if (writing) {
                return;
            }
        }
        finSent = true;
        net.shutdownOutput();
        if (pendingClose != null) {
            closeNow();
        }
    }

    // ------------------------------------------------------------------ ciphertext buffers

    private void ensureNetOut() {
        if (netOut == null) {
            netOut = ByteBuffer.allocateDirect(Math.max(engine.getSession().getPacketBufferSize(), 4 * appSize + 1024));
        }
    }

    /** Writes what netOut holds, unless a write is posted already. */
    private void flush() {
        if (writing || netOut == null || netOut.position() == 0 || closed && pendingClose == null) {
            return;
        }
        netOut.flip();
        writing = true;
        net.write(new ByteBuffer[] {netOut}, 0, 1, netWrite);
    }

    private void releaseNetInIfEmpty() {
        if (netIn != null && !netIn.hasRemaining()) {
            netIn = null;
            netInLent = false;
        }
    }

    /** Before the port's receive buffer goes back (or another read is posted): copies what is left in it. */
    private void keepLeftover() {
        if (netInLent) {
            netInLent = false;
            netIn = netIn != null && netIn.hasRemaining() ? leftover(netIn) : null;
        }
    }

    /** A copy of ciphertext the port lent that demand did not take, with room for the rest of its record. */
    private ByteBuffer leftover(ByteBuffer lent) {
        ByteBuffer copy = ByteBuffer.allocate(Math.max(lent.remaining(), engine.getSession().getPacketBufferSize()));
        copy.put(lent).flip();
        return copy;
    }

    /** Adds received ciphertext behind what netIn holds (never the port's: see keepLeftover). */
    private void append(ByteBuffer[] buffers, int count, long bytes) {
        int left = netIn == null ? 0 : netIn.remaining();
        // While handshaking a task may still read a view of what netIn held: never overwrite it in place.
        if (netIn == null || handshaking || netIn.capacity() - netIn.limit() < bytes) {
            ByteBuffer grown = ByteBuffer.allocate((int) Math.max(left + bytes, engine.getSession().getPacketBufferSize()));
            if (netIn != null) {
                grown.put(netIn);
            }
            netIn = grown;
        } else {
            netIn.compact();
        }
        for (int i = 0; i < count; i++) {
            netIn.put(buffers[i]);
        }
        netIn.flip();
    }

    /** This port thread's first {@code count} plaintext buffers, each large enough for a record of this session. */
    private ByteBuffer[] plain(int count) {
        ByteBuffer[] p = PLAIN.get();
        if (p == null || p.length < count) {
            ByteBuffer[] grown = new ByteBuffer[count];
            if (p != null) {
                System.arraycopy(p, 0, grown, 0, p.length);
            }
            p = grown;
            PLAIN.set(p);
        }
        for (int i = 0; i < count; i++) {
            if (p[i] == null || p[i].capacity() < appSize) {
                p[i] = ByteBuffer.allocate(appSize);
            }
        }
        return p;
    }

    private static boolean anyRemaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ failures

    private void handshakeTimedOut() {
        if (handshaking && !closed) {
            fail(Kind.HANDSHAKE_TIMEOUT, "no handshake within " + spec.handshakeTimeout().toMillis() + " ms", null);
        }
    }

    private void failTruncated() {
        fail(Kind.TRUNCATED, "the peer ended the connection without a close_notify", null);
    }

    private void fail(Kind kind, SSLException e) {
        fail(kind, e.getMessage(), e);
    }

    /** Closes the connection with a TlsException, after the alert the engine has for the peer. */
    private void fail(Kind kind, String reason, Throwable cause) {
        if (failure != null || closed) {
            return;
        }
        failure = new TlsException(kind, remoteAddress(), reason, cause);
        cancelHandshakeTimer();
        if (!writing && !tasksRunning) {         // a running task owns the engine: no alert then
            try {
                engine.closeOutbound();
                ensureNetOut();
                engine.wrap(EMPTY, netOut);
            } catch (SSLException | RuntimeException alertFailed) {
                // no alert then
            }
            flush();
        }
        if (writing) {
            channel.port.schedule(this::closeFailed, ALERT_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            closeFailed();
        }
    }

    private void closeFailed() {
        if (!closed) {
            channel.terminate(failure, false);
        }
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
            handshakeTimer = null;
        }
    }

    /** The socket is released: the channel's read and write still posted get their answer. */
    private void answerClosed() {
        Throwable why = failure != null ? failure
                : new ConnectionClosedException(remoteAddress(), "connection closed");
        ReadCompletion r = plainRead;
        plainRead = null;
        if (r != null) {
            r.failed(why);
        }
        WriteCompletion w = plainWrite;
        plainWrite = null;
        if (w != null) {
            w.failed(why);
        }
    }

    // ------------------------------------------------------------------ ciphertext completions

    private final class NetRead implements ReadCompletion {
        @Override
        public void completed(ByteBuffer[] buffers, int count, int posted, int bufferSize, long bytes) {
            reading = false;
            if (closed) {
                return;
            }
            // Unwrapped in place once the handshake is done: only what demand leaves over is copied.
            // Never while handshaking: the engine keeps views of handshake messages for the tasks
            // that run on another thread after this completion has given the buffer back.
            if (netIn == null && count == 1 && !handshaking) {
                netIn = buffers[0];
                netInLent = true;
                pump();
                keepLeftover();
                return;
            }
            append(buffers, count, bytes);
            pump();
        }

        @Override
        public void endOfStream() {
            reading = false;
            netEnded = true;
            pump();
        }

        @Override
        public void failed(Throwable error) {
            reading = false;
            if (!closed) {
                channel.terminate(new ConnectionResetException(remoteAddress(), error), false);
            }
        }
    }

    private final class NetWrite implements WriteCompletion {
        @Override
        public void completed(long bytes) {
            boolean finishing = pendingClose != null;     // closed, but close_notify and FIN still go out
            if (netOut.hasRemaining() && (!closed || finishing)) {
                net.write(new ByteBuffer[] {netOut}, 0, 1, this);
                return;
            }
            writing = false;
            if (netOut != null) {
                netOut.clear();
            }
            if (finishing) {
                try {
                    closeOutput();
                } catch (IOException e) {
                    closeNow();
                }
                if (!writing) {
                    closeNow();
                }
                return;
            }
            if (closed) {
                return;
            }
            if (failure != null) {
                closeFailed();
                return;
            }
            if (plainWrite != null && plainWrapped >= 0) {
                WriteCompletion w = plainWrite;
                long wrapped = plainWrapped;
                plainWrite = null;
                plainWrapped = -1;
                w.completed(wrapped);
            }
            pump();
        }

        @Override
        public void failed(Throwable error) {
            writing = false;
            if (!closed) {
                channel.terminate(new ConnectionResetException(remoteAddress(), error), false);
            }
        }
    }
}
