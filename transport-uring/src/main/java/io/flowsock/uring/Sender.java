package io.flowsock.uring;

import io.flowsock.core.spi.WriteCompletion;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;

/**
 * The send side of a {@link UringSocket}: one {@code sendmsg} in flight, gathering up to
 * {@link WriteBlock#MAX_IOV} buffers, direct ones by address and heap ones staged into the
 * block's native memory. A short send advances the buffers by what was sent and the core posts
 * the rest.
 *
 * <p><b>Ownership.</b> The kernel may read a direct buffer until the send's final completion, even
 * after the socket is closed or the send cancelled. So the write is answered only then: a send
 * still in flight when the socket closes completes later, failed with
 * {@link AsynchronousCloseException}, and until that answer its buffers stay the connection's.
 *
 * <p>Runs only on its port's thread.
 */
final class Sender {
    private final UringPort port;
    private final UringSocket socket;
    private WriteCompletion writer;
    private WriteBlock block;
    private ByteBuffer[] srcs;
    private int offset;
    private int length;

    Sender(UringPort port, UringSocket socket) {
        this.port = port;
        this.socket = socket;
    }

    void write(ByteBuffer[] srcs, int offset, int length, WriteCompletion completion) {
        writer = completion;
        this.srcs = srcs;
        this.offset = offset;
        this.length = length;
        block = port.takeBlock(
                WriteBlock.heapBytes(srcs, offset, length, WriteBlock.SMALL_STAGING) > WriteBlock.SMALL_STAGING);
        MemorySegment msg = block.gather(srcs, offset, length);
        port.submitSendmsg(socket.registration(), UringSocket.OP_SEND, socket.fd, msg, false);
    }

    /** The send's one completion: the block goes back, then the core hears how it went. */
    void onSend(int res) {
        port.releaseBlock(block);
        block = null;
        ByteBuffer[] sent = srcs;
        srcs = null;
        WriteCompletion c = writer;
        writer = null;
        if (c == null) {
            return;
        }
        if (socket.isClosed()) {
            c.failed(new AsynchronousCloseException());
            return;
        }
        if (res < 0) {
            c.failed(Errno.exception("sendmsg", -res));
            return;
        }
        long left = res;
        for (int i = offset; i < offset + length && left > 0; i++) {
            ByteBuffer b = sent[i];
            int k = (int) Math.min(left, b.remaining());
            b.position(b.position() + k);
            left -= k;
        }
        c.completed(res);
    }
}
