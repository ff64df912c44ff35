package io.flowsock.core;

import io.flowsock.core.spi.ReadCompletion;
import io.flowsock.core.spi.SocketIo;
import io.flowsock.core.spi.WriteCompletion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * The ciphertext side of a {@link TlsIo}: the backend's socket it reads records from and writes
 * them to, one read and one write posted at a time, and the two buffers between that socket and
 * the engine. {@code in} holds ciphertext read and not unwrapped yet, {@code out} the records
 * wrapped and not written yet; the engine side fills and drains them and this side moves them.
 *
 * <p>Each completion comes back to {@link TlsIo#pump()}, which decides what the bytes mean; this
 * side decides only what happens to memory: a receive buffer the port lends is unwrapped in place
 * and what demand leaves over is copied before it goes back, and nothing is posted once the
 * connection is closed except what a graceful close still waits for (close_notify and FIN).
 *
 * <p>Runs only on the channel's port thread, as its {@link TlsIo} does: the two share their
 * state through plain calls, with no synchronisation.
 */
final class TlsNet {
    /** How long records for the peer (an alert, close_notify) may take to go out before the socket closes anyway. */
    static final long SEND_MILLIS = 1_000;

    private final SocketIo socket;
    private final TlsIo tls;
    private final SSLEngine engine;      // read here only for its session's record sizes
    private final Channel channel;
    private final NetRead netRead = new NetRead();
    private final NetWrite netWrite = new NetWrite();

    private ByteBuffer netIn;        // ciphertext read and not unwrapped, ready for reading; null when none
    private boolean netInLent;       // netIn is the port's receive buffer, valid only in the read's completion
    private ByteBuffer netOut;       // ciphertext wrapped: being filled, or flipped while written; null when none
    private boolean reading;         // a ciphertext read is posted
    private boolean writing;         // a ciphertext write is posted (netOut is flipped)
    private boolean ended;           // the peer's FIN arrived
    private boolean finSent;
    private boolean closed;          // close ran: nothing more is posted but what pendingClose waits for
    private Runnable pendingClose;   // a graceful close waiting for close_notify and FIN to go out

    TlsNet(SocketIo socket, TlsIo tls, SSLEngine engine, Channel channel) {
        this.socket = socket;
        this.tls = tls;
        this.engine = engine;
        this.channel = channel;
    }

    // ------------------------------------------------------------------ state

    /** Ciphertext ready for unwrapping; null when none. */
    ByteBuffer in() {
        return netIn;
    }

    /** The buffer to wrap records into, allocated on first use; not while {@link #isWriting()}. */
    ByteBuffer out() {
        if (netOut == null) {
            netOut = ByteBuffer.allocateDirect(Math.max(packetSize(), 4 * tls.plaintextSize() + 1024));
        }
        return netOut;
    }

    /** A fresh out buffer of the session's record size: the empty one there was is too small for the next record. */
    ByteBuffer growOut() {
        netOut = ByteBuffer.allocateDirect(packetSize());
        return netOut;
    }

    boolean isWriting() {
        return writing;
    }

    /** Whether the peer's FIN arrived. */
    boolean hasEnded() {
        return ended;
    }

    boolean isFinSent() {
        return finSent;
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ posting

    /** Posts a ciphertext read unless one is posted or the connection is closed. */
    void read() {
        if (!reading && !closed) {
            keepLeftover();
            reading = true;
            socket.read(1, false, netRead);
        }
    }

    /** Writes what the out buffer holds, unless a write is posted already. */
    void flush() {
        if (writing || netOut == null || netOut.position() == 0 || closed && pendingClose == null) {
            return;
        }
        netOut.flip();
        writing = true;
        socket.write(new ByteBuffer[] {netOut}, 0, 1, netWrite);
    }

    /** FIN, once close_notify is out; a graceful close waiting for it goes on. */
    void shutdownOutput() throws IOException {
        finSent = true;
        socket.shutdownOutput();
        if (pendingClose != null) {
            closeNow();
        }
    }

    /** Closes the socket now. */
    void close(boolean reset, Runnable released) {
        closed = true;
        closeSocket(reset, released);
    }

    /** Closes the socket once what is still to go out is out, or after SEND_MILLIS if the peer does not take it. */
    void closeOnceSent(Runnable released) {
        closed = true;
        pendingClose = released;
        channel.port.schedule(this::closeNow, SEND_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The deferred close: what was still to go out is out, or the wait is over. */
    private void closeNow() {
        Runnable released = pendingClose;
        pendingClose = null;
        if (released != null) {
            closeSocket(false, released);
        }
    }

    private void closeSocket(boolean reset, Runnable released) {
        socket.close(reset, () -> {
            tls.released();
            netIn = null;
            netInLent = false;
            netOut = null;
            released.run();
        });
    }

    // ------------------------------------------------------------------ buffers

    void releaseInIfEmpty() {
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
        ByteBuffer copy = ByteBuffer.allocate(Math.max(lent.remaining(), packetSize()));
        copy.put(lent).flip();
        return copy;
    }

    /** Adds received ciphertext behind what netIn holds (never the port's: see keepLeftover). */
    private void append(ByteBuffer[] buffers, int count, long bytes) {
        int left = netIn == null ? 0 : netIn.remaining();
        // While handshaking a task may still read a view of what netIn held: never overwrite it in place.
        if (netIn == null || tls.isHandshaking() || netIn.capacity() - netIn.limit() < bytes) {
            ByteBuffer grown = ByteBuffer.allocate((int) Math.max(left + bytes, packetSize()));
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

    private int packetSize() {
        return engine.getSession().getPacketBufferSize();
    }

    private void lost(Throwable error) {
        if (!closed) {
            channel.terminate(new ConnectionResetException(socket.remoteAddress(), error), false);
        }
    }

    // ------------------------------------------------------------------ completions

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
            if (netIn == null && count == 1 && !tls.isHandshaking()) {
                netIn = buffers[0];
                netInLent = true;
                tls.pump();
                keepLeftover();
                return;
            }
            append(buffers, count, bytes);
            tls.pump();
        }

        @Override
        public void endOfStream() {
            reading = false;
            ended = true;
            tls.pump();
        }

        @Override
        public void failed(Throwable error) {
            reading = false;
            lost(error);
        }
    }

    private final class NetWrite implements WriteCompletion {
        @Override
        public void completed(long bytes) {
            boolean finishing = pendingClose != null;     // closed, but close_notify and FIN still go out
            if (netOut.hasRemaining() && (!closed || finishing)) {
                socket.write(new ByteBuffer[] {netOut}, 0, 1, this);
                return;
            }
            writing = false;
            netOut.clear();
            if (finishing) {
                try {
                    tls.closeOutput();
                } catch (IOException e) {
                    closeNow();
                }
                if (!writing) {
                    closeNow();
                }
                return;
            }
            if (!closed) {
                tls.written();
            }
        }

        @Override
        public void failed(Throwable error) {
            writing = false;
            if (pendingClose != null) {
                // close_notify will not go out now (a closing port cancels what is posted): close at
                // once, since the timer closeOnceSent armed may never fire on a port that is stopping
                closeNow();
                return;
            }
            lost(error);
        }
    }
}
