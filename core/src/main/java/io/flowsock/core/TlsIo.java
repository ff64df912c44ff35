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
 * <p>This class is the engine side: it serves the channel's posted reads and writes, sends
 * close_notify and fails the connection. {@link TlsNet} is the ciphertext side (the socket and the
 * buffers between it and the engine), {@link TlsHandshake} runs the handshake.
 *
 * <p>Runs only on the channel's port thread, as every {@link SocketIo} does, and so do its
 * {@link TlsNet} and {@link TlsHandshake}: the three share this connection's state through plain
 * calls, with no synchronisation.
 */
final class TlsIo implements SocketIo {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** The most plaintext one record carries: a read is full, for Automatic Burst Detection, when each buffer got that. */
    private static final int MAX_PLAINTEXT = 16_384;

    private final SocketIo socket;   // for its addresses: every byte for it goes through net
    private final Channel channel;
    private final SSLEngine engine;
    private final TlsNet net;
    private final TlsHandshake handshake;
    private int appSize;
    /** Completed on the port when the handshake is done, failed when the connection closes before. */
    final CompletableFuture<Void> handshakeDone = new CompletableFuture<>();

    private boolean pumping;         // a pass of pump() is on the stack
    private boolean pumpAgain;       // something changed during that pass: it goes round once more
    private boolean finWanted;       // shutdownOutput(): close_notify, then FIN
    private TlsException failure;    // set once; the connection closes after the alert went out

    private ReadCompletion plainRead;    // the channel's posted read, not answered yet
    private int plainCount;
    private ByteBuffer[] plainSrcs;      // the channel's posted write, not answered yet
    private int plainOffset;
    private int plainLength;
    private WriteCompletion plainWrite;
    private long plainWrapped = -1;      // bytes of plainWrite in the out buffer, once wrapped; -1 before

    TlsIo(SocketIo socket, Tls spec, Channel channel) {
        this.socket = socket;
        this.channel = channel;
        this.engine = spec.newEngine(socket.remoteAddress());
        this.appSize = engine.getSession().getApplicationBufferSize();
        this.net = new TlsNet(socket, this, engine, channel);
        this.handshake = new TlsHandshake(this, net, engine, spec, channel);
    }

    /** Begins the handshake; from the port once the channel is built. */
    void start() {
        if (net.isClosed()) {
            return;
        }
        try {
            handshake.begin();
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
        if (!handshake.isUnderway() && !handshake.isWaitingForTasks() && !net.isClosed() && failure == null
                && plainWrite == null && !net.isWriting()) {
            // Now, not on the pump's next pass: the channel may close right after this returns
            // (the peer's FIN came first), and close_notify must be out before the socket closes.
            // Safe inside a pass: the channel's writes are done and the out buffer is idle.
            closeOutput();
        }
        pump();
    }

    @Override
    public void close(boolean reset, Runnable released) {
        handshake.cancelTimer();
        if (!reset && failure == null && (net.isWriting() || finWanted && !net.isFinSent())) {
            // A graceful close right after shutdownOutput (the peer's FIN came first): close_notify
            // and FIN are still on their way, and closing now would cut them off.
            net.closeOnceSent(released);
            return;
        }
        net.close(reset, released);
    }

    /**
     * None: every plaintext read goes into this port's shared plaintext buffers, a trickling
     * connection's too, so there is no small rung to drop to. Reporting the plaintext size here
     * made Automatic Burst Detection take every TLS read for small buffers answering a large read
     * (no evidence either way), so recvBurst never rose above one buffer per read under TLS.
     */
    @Override
    public int smallBufferSize() {
        return 0;
    }

    /** The session's plaintext buffer size: what one record may unwrap to. */
    int plaintextSize() {
        return appSize;
    }

    @Override
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return socket.remoteAddress();
    }

    // ------------------------------------------------------------------ the engine

    /**
     * Moves everything that can move now: handshake, the channel's write, its read, close_notify.
     * Completions may come inline (a write or read that finishes at once, a channel that posts its
     * next read from the completion of the last), so a call made while one runs only asks the
     * running one to go round again: one pass at a time touches the engine and the buffers.
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
                pumpOnce();
            } while (pumpAgain);
        } finally {
            pumping = false;
        }
    }

    private void pumpOnce() {
        if (net.isClosed() || failure != null || handshake.isWaitingForTasks()) {
            return;                  // while a task runs on another thread, nothing here touches the engine
        }
        try {
            if (handshake.isUnderway() || engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
                handshake.advance();
                if (handshake.isUnderway()) {
                    return;
                }
            }
            serveWrite();
            serveRead();
            closeOutput();
        } catch (SSLException e) {
            fail(handshake.isUnderway() || e instanceof SSLHandshakeException ? Kind.HANDSHAKE : Kind.RECORD, e);
        } catch (IOException e) {
            channel.terminate(new ConnectionResetException(remoteAddress(), e), false);
        }
    }

    /** Whether the first handshake is still going on. */
    boolean isHandshaking() {
        return handshake.isUnderway();
    }

    /**
     * Whether the first handshake finished and did not fail. On the port it is true from the
     * moment it finished, before the future completes (the observer is told then); other threads
     * see the future.
     */
    boolean handshakeSucceeded() {
        return (handshakeDone.isDone() || channel.port.inPort() && !handshake.isUnderway())
                && !handshakeDone.isCompletedExceptionally();
    }

    /** The handshake is done: reads and writes of application data may move. */
    void handshaken() {
        appSize = engine.getSession().getApplicationBufferSize();
        handshakeDone.complete(null);
    }

    /** Wraps the channel's posted write into the out buffer and writes it; it completes when that is written. */
    private void serveWrite() throws SSLException {
        if (plainWrite == null || plainWrapped >= 0 || net.isWriting()) {
            return;
        }
        ByteBuffer out = net.out();
        long consumed = 0;
        while (true) {
            SSLEngineResult r = engine.wrap(plainSrcs, plainOffset, plainLength, out);
            if (r.getStatus() == Status.CLOSED) {
                throw new SSLException("the output is closed (close_notify was sent)");
            }
            if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                if (out.position() > 0) {
                    break;
                }
                out = net.growOut();
                continue;
            }
            consumed += r.bytesConsumed();
            if (r.bytesConsumed() == 0 || !anyRemaining(plainSrcs, plainOffset, plainLength)) {
                break;
            }
        }
        plainWrapped = consumed;
        net.flush();
    }

    /** The out buffer is written, on a connection still open: the channel's write it carried completes. */
    void written() {
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

    /** Unwraps into the channel's posted read as far as demand goes, or reads more ciphertext. */
    private void serveRead() throws SSLException {
        if (plainRead == null) {
            return;
        }
        ByteBuffer[] plain = TlsPlainBuffers.take(plainCount, appSize);
        for (int i = 0; i < plainCount; i++) {
            plain[i].clear();
        }
        int current = 0;
        long bytes = 0;
        boolean peerClosed = false;
        while (net.in() != null && net.in().hasRemaining() && current < plainCount) {
            SSLEngineResult r = engine.unwrap(net.in(), plain[current]);
            Status s = r.getStatus();
            if (s == Status.OK) {
                bytes += r.bytesProduced();
                HandshakeStatus hs = r.getHandshakeStatus();
                if (hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED) {
                    handshake.advance();     // a post-handshake message: a ticket to check, a KeyUpdate to answer
                    if (handshake.isWaitingForTasks()) {
                        break;               // the engine is the task's until it is done
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
                peerClosed = true;           // close_notify
                break;
            }
        }
        net.releaseInIfEmpty();
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
        if (handshake.isWaitingForTasks()) {
            return;                          // pump() comes back once the task is done
        }
        if (peerClosed || engine.isInboundDone()) {
            ReadCompletion c = plainRead;
            plainRead = null;
            c.endOfStream();
            return;
        }
        if (net.hasEnded()) {
            ByteBuffer cut = net.in();
            fail(Kind.TRUNCATED, cut == null || !cut.hasRemaining() ? "the peer ended the connection without a close_notify"
                    : "the peer ended the connection in the middle of a record (" + cut.remaining()
                    + " bytes of it came), without a close_notify", null);
            return;
        }
        net.read();
    }

    /** After shutdownOutput(): close_notify once the channel's writes are out, then FIN. */
    void closeOutput() throws IOException {
        if (handshake.isUnderway()) {
            return;                  // after the handshake: the peer could not read it before
        }
        if (!finWanted || net.isFinSent() || plainWrite != null || net.isWriting()) {
            return;
        }
        if (!engine.isOutboundDone()) {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                if (!handshake.wrap()) {
                    return;              // the out buffer is full: the flush's completion comes back here
                }
            }
            net.flush();
            if (net.isWriting()) {
                return;
            }
        }
        net.shutdownOutput();
    }

    private static boolean anyRemaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ failures and release

    private void fail(Kind kind, SSLException e) {
        fail(kind == Kind.HANDSHAKE ? TlsException.handshakeKind(e) : kind, e.getMessage(), e);
    }

    /** Closes the connection with a TlsException, after the alert the engine has for the peer. */
    void fail(Kind kind, String reason, Throwable cause) {
        if (failure != null || net.isClosed()) {
            return;
        }
        failure = new TlsException(kind, remoteAddress(), reason, cause);
        handshake.cancelTimer();
        if (handshake.isUnderway()) {
            handshake.ended(failure);
        }
        if (!net.isWriting() && !handshake.isWaitingForTasks()) {  // a running task owns the engine: no alert then
            try {
                engine.closeOutbound();
                engine.wrap(EMPTY, net.out());
            } catch (SSLException | RuntimeException alertFailed) {
                // no alert then
            }
            net.flush();
        }
        if (net.isWriting()) {
            channel.port.schedule(this::closeFailed, TlsNet.SEND_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            closeFailed();
        }
    }

    private void closeFailed() {
        if (!net.isClosed()) {
            channel.terminate(failure, false);
        }
    }

    /** The socket is released: the handshake, and the channel's read and write still posted, get their answer. */
    void released() {
        if (!handshakeDone.isDone()) {
            Throwable why = failure != null ? failure
                    : new ConnectionClosedException(remoteAddress(), "connection closed before the TLS handshake was done");
            handshake.ended(why);
            handshakeDone.completeExceptionally(why);
        }
        ReadCompletion r = plainRead;
        WriteCompletion w = plainWrite;
        plainRead = null;
        plainWrite = null;
        if (r == null && w == null) {
            return;                      // nothing to answer: no exception made (a stack trace per close)
        }
        Throwable why = failure != null ? failure
                : new ConnectionClosedException(remoteAddress(), "connection closed");
        if (r != null) {
            r.failed(why);
        }
        if (w != null) {
            w.failed(why);
        }
    }
}
