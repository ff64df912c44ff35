package io.flowsock.core;

import io.flowsock.core.spi.ReadCompletion;
import io.flowsock.core.spi.SocketIo;
import io.flowsock.core.spi.WriteCompletion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A backend socket scripted by the test: the engine's reads and writes are posted here and the
 * test answers them, at once (inline, inside the posting call, as io_uring and NIO.2 may) or later.
 * Writes can be short; what is written is collected; the peer's data, FIN and errors are scripted.
 *
 * <p>Runs only on the {@link ScriptedPort}'s thread, as a backend's socket does.
 */
final class ScriptedSocket implements SocketIo {
    static final int SMALL = 1024;
    static final int LARGE = 16 * 1024;

    private final InetSocketAddress local = new InetSocketAddress("127.0.0.1", 1000);
    private final InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 2000);

    // the read posted, if any
    private ReadCompletion reader;
    private int readCount;
    private boolean readSmall;
    int readsPosted;
    int lastReadCount;
    /** The peer's bytes and FIN, answered inline when a read is posted while {@link #inlineReads}. */
    private final ArrayDeque<Object> peer = new ArrayDeque<>();
    private static final Object FIN = new Object();
    boolean inlineReads;

    // the write posted, if any
    private WriteCompletion writer;
    private ByteBuffer[] writeSrcs;
    private int writeOffset;
    private int writeLength;
    int writesPosted;
    int lastGathered;
    /** When positive, each write takes at most this many bytes (a short write). */
    int writeLimit;
    /** Writes complete inside {@link #write} when true, else on {@link #completeWrite()}. */
    boolean inlineWrites = true;
    final ByteArrayOutputStream written = new ByteArrayOutputStream();

    boolean outputShut;
    IOException shutdownFailure;
    boolean closed;
    boolean reset;
    /** When true the core may keep the buffers of a read (a backend that lends), listed in {@link #kept}. */
    boolean lends;
    /** Buffers whose slot a read completion left null: the core kept them, and must give each back once. */
    final List<ByteBuffer> kept = new ArrayList<>();
    /** What the core gave back through {@link #recycle}, in order. */
    final List<ByteBuffer> recycled = new ArrayList<>();
    /** When true, close keeps its release callback for {@link #release()}, as io_uring does. */
    boolean deferRelease;
    private Runnable pendingRelease;

    // ------------------------------------------------------------------ reads

    @Override
    public void read(int count, boolean small, ReadCompletion completion) {
        if (reader != null) {
            throw new AssertionError("a second read was posted while one is pending");
        }
        if (closed) {
            throw new AssertionError("a read was posted after close");
        }
        reader = completion;
        readCount = count;
        readSmall = small;
        readsPosted++;
        lastReadCount = count;
        if (inlineReads && !peer.isEmpty()) {
            answerFromPeer();
        }
    }

    boolean readPending() {
        return reader != null;
    }

    boolean readPendingSmall() {
        return reader != null && readSmall;
    }

    int readCount() {
        return readCount;
    }

    /** The peer sends {@code data}; answered now if a read is posted and reads are inline, else queued. */
    void peerSends(String data) {
        peerSends(data.getBytes(StandardCharsets.UTF_8));
    }

    void peerSends(byte[] data) {
        peer.add(data);
        if (inlineReads && reader != null) {
            answerFromPeer();
        }
    }

    void peerFin() {
        peer.add(FIN);
        if (inlineReads && reader != null) {
            answerFromPeer();
        }
    }

    private void answerFromPeer() {
        Object head = peer.poll();
        if (head == FIN) {
            endOfStream();
        } else {
            completeRead((byte[]) head);
        }
    }

    /** Answers the posted read with {@code data}, split over its buffers of the size it asked for. */
    void completeRead(byte[] data) {
        int size = readSmall ? SMALL : LARGE;
        int posted = readCount;
        if (data.length > (long) size * posted) {
            throw new AssertionError(data.length + " bytes do not fit " + posted + " buffers of " + size);
        }
        completeRead(posted, size, data);
    }

    /**
     * Answers the posted read as a backend reports it: {@code posted} buffers of {@code bufferSize}
     * each (which may differ from what the core asked for, as parked multishot buffers do).
     */
    void completeRead(int posted, int bufferSize, byte[] data) {
        ReadCompletion c = take();
        int n = Math.max(1, (data.length + bufferSize - 1) / bufferSize);
        ByteBuffer[] buffers = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            int from = i * bufferSize;
            buffers[i] = ByteBuffer.allocate(bufferSize);
            buffers[i].put(data, from, Math.min(bufferSize, data.length - from)).flip();
        }
        ByteBuffer[] given = buffers.clone();
        c.completed(buffers, data.length == 0 ? 0 : n, posted, bufferSize, data.length);
        for (int i = 0; i < n; i++) {
            if (buffers[i] == null) {
                kept.add(given[i]);
            }
        }
    }

    void endOfStream() {
        take().endOfStream();
    }

    void failRead(Throwable error) {
        take().failed(error);
    }

    private ReadCompletion take() {
        ReadCompletion c = reader;
        if (c == null) {
            throw new AssertionError("no read is posted");
        }
        reader = null;
        return c;
    }

    // ------------------------------------------------------------------ writes

    @Override
    public void write(ByteBuffer[] srcs, int offset, int length, WriteCompletion completion) {
        if (writer != null) {
            throw new AssertionError("a second write was posted while one is pending");
        }
        if (closed) {
            throw new AssertionError("a write was posted after close");
        }
        writer = completion;
        writeSrcs = srcs;
        writeOffset = offset;
        writeLength = length;
        writesPosted++;
        lastGathered = length;
        if (inlineWrites) {
            completeWrite();
        }
    }

    boolean writePending() {
        return writer != null;
    }

    /** Takes what the posted write allows ({@link #writeLimit}) and completes it. */
    void completeWrite() {
        WriteCompletion c = writer;
        if (c == null) {
            throw new AssertionError("no write is posted");
        }
        long budget = writeLimit > 0 ? writeLimit : Long.MAX_VALUE;
        long n = 0;
        for (int i = writeOffset; i < writeOffset + writeLength && n < budget; i++) {
            ByteBuffer b = writeSrcs[i];
            int take = (int) Math.min(b.remaining(), budget - n);
            byte[] chunk = new byte[take];
            b.get(chunk);
            written.write(chunk, 0, take);
            n += take;
        }
        writer = null;
        writeSrcs = null;
        c.completed(n);
    }

    void failWrite(Throwable error) {
        WriteCompletion c = writer;
        writer = null;
        writeSrcs = null;
        c.failed(error);
    }

    String writtenText() {
        return written.toString(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ the rest

    @Override
    public void shutdownOutput() throws IOException {
        if (shutdownFailure != null) {
            throw shutdownFailure;
        }
        outputShut = true;
    }

    @Override
    public void close(boolean reset, Runnable released) {
        if (closed) {
            throw new AssertionError("the socket was closed twice");
        }
        closed = true;
        this.reset = reset;
        if (deferRelease) {
            pendingRelease = released;
        } else {
            released.run();
        }
    }

    /** The kernel answers the last operation of a closed socket: what io_uring does a loop turn later. */
    void release() {
        Runnable r = pendingRelease;
        pendingRelease = null;
        r.run();
    }

    @Override
    public boolean lendsBuffers() {
        return lends;
    }

    @Override
    public void recycle(ByteBuffer buffer) {
        recycled.add(buffer);
    }

    @Override
    public int smallBufferSize() {
        return SMALL;
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
