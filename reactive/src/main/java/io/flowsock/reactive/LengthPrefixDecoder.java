package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

import io.flowsock.core.FlowsockException;

/**
 * Cuts a byte stream into frames, each a big-endian unsigned length of {@code prefixBytes} bytes
 * followed by that many bytes.
 *
 * <p>A body that arrives whole in one buffer is copied once, straight into the emitted array. A
 * body cut by a buffer's end is collected in an array that starts small and doubles up to the
 * announced length, so a peer that announces a large frame and sends little costs little memory.
 */
final class LengthPrefixDecoder implements ByteDecoder<ByteBuffer> {
    private static final int FIRST_BODY_CHUNK = 8192;

    private final int prefixBytes;
    private final int maxFrameLength;
    private int prefixRead;
    private long length;
    private byte[] body;
    private int filled;

    LengthPrefixDecoder(int prefixBytes, int maxFrameLength) {
        this.prefixBytes = prefixBytes;
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    public void decode(ByteBuffer in, Consumer<? super ByteBuffer> out) {
        int index = in.position();
        int limit = in.limit();
        while (index < limit) {
            if (prefixRead < prefixBytes) {
                length = (length << 8) | (in.get(index++) & 0xFF);
                if (++prefixRead == prefixBytes) {
                    index = startBody(in, index, out);
                }
            } else {
                index = continueBody(in, index, out);
            }
        }
    }

    @Override
    public void finish(Consumer<? super ByteBuffer> out) {
        if (prefixRead == prefixBytes) {
            throw new FlowsockException("stream ended inside a frame: " + filled + " of " + length
                    + " bytes (" + (length - filled) + " missing)");
        }
        if (prefixRead > 0) {
            throw new FlowsockException("stream ended inside a length prefix: " + prefixRead + " of "
                    + prefixBytes + " bytes (" + (prefixBytes - prefixRead) + " missing)");
        }
    }

    /** Checks the announced length, then emits the frame if it is all here or starts collecting it. */
    private int startBody(ByteBuffer in, int index, Consumer<? super ByteBuffer> out) {
        if (length > maxFrameLength) {
            throw new FrameTooLongException(length, maxFrameLength);
        }
        int size = (int) length;
        int available = in.limit() - index;
        if (available >= size) {
            byte[] frame = new byte[size];
            in.get(index, frame);
            reset();
            out.accept(ByteBuffer.wrap(frame));
            return index + size;
        }
        body = new byte[Math.min(size, Math.max(available, FIRST_BODY_CHUNK))];
        filled = 0;
        return index;
    }

    private int continueBody(ByteBuffer in, int index, Consumer<? super ByteBuffer> out) {
        int size = (int) length;
        int n = Math.min(in.limit() - index, size - filled);
        if (filled + n > body.length) {
            long grown = Math.max(filled + n, 2L * body.length);
            body = Arrays.copyOf(body, (int) Math.min(size, grown));
        }
        in.get(index, body, filled, n);
        filled += n;
        if (filled == size) {
            ByteBuffer frame = ByteBuffer.wrap(body);
            reset();
            out.accept(frame);
        }
        return index + n;
    }

    private void reset() {
        prefixRead = 0;
        length = 0;
        body = null;
        filled = 0;
    }
}
