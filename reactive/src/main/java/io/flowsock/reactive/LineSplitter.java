package io.flowsock.reactive;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;


/**
 * Cuts a byte stream into lines ending in {@code '\n'}, dropping the delimiter and a {@code '\r'}
 * just before it. Only the start of a line cut by a buffer's end is copied aside, so the work per
 * buffer is proportional to that buffer, never to the stream.
 *
 * <p>The length check runs per byte, so a stream fails at the same byte however it was cut: the
 * line fails at its {@code maxLineLength + 1}st byte unless that byte is a {@code '\r'}, which may
 * still turn out to be part of the delimiter; then it fails at the next byte unless that is the
 * {@code '\n'}. The carry-over therefore never exceeds {@code maxLineLength + 1} bytes.
 */
final class LineSplitter implements ByteDecoder<ByteBuffer> {
    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final byte[] EMPTY = new byte[0];
    // A carry-over array larger than this is dropped after its line, so an idle stream that once
    // carried a long line does not keep the memory.
    private static final int KEPT_CARRY = 8192;
    private static final int FIRST_CARRY = 256;

    private final long maxLineLength;
    private byte[] carry = EMPTY;
    private int carried;

    LineSplitter(int maxLineLength) {
        this.maxLineLength = maxLineLength;
    }

    @Override
    public void decode(ByteBuffer in, Consumer<? super ByteBuffer> out) {
        int start = in.position();
        int limit = in.limit();
        for (int i = start; i < limit; i++) {
            byte b = in.get(i);
            if (b == LF) {
                out.accept(line(in, start, i));
                start = i + 1;
            } else {
                long scanned = carried + (long) (i + 1 - start);
                if (scanned > maxLineLength + 1 || (scanned == maxLineLength + 1 && b != CR)) {
                    throw new FrameTooLongException(scanned, (int) maxLineLength);
                }
            }
        }
        keep(in, start, limit);
    }

    @Override
    public void finish(Consumer<? super ByteBuffer> out) {
        if (carried == 0) {
            return;
        }
        if (carried > maxLineLength) {
            // only a trailing '\r' is let past the limit, and without its '\n' it is content
            throw new FrameTooLongException(carried, (int) maxLineLength);
        }
        out.accept(ByteBuffer.wrap(Arrays.copyOf(carry, carried)));
        carried = 0;
    }

    /** The line made of the carry-over and {@code in[start, end)}, end being its '\n'. */
    private ByteBuffer line(ByteBuffer in, int start, int end) {
        int total = carried + (end - start);
        boolean crLf = total > 0
                && (end > start ? in.get(end - 1) : carry[carried - 1]) == CR;
        int length = crLf ? total - 1 : total;
        byte[] line = new byte[length];
        int fromCarry = Math.min(carried, length);
        System.arraycopy(carry, 0, line, 0, fromCarry);
        in.get(start, line, fromCarry, length - fromCarry);
        carried = 0;
        if (carry.length > KEPT_CARRY) {
            carry = EMPTY;
        }
        return ByteBuffer.wrap(line);
    }

    /** Appends {@code in[start, end)}, the start of a line cut by the buffer's end, to the carry-over. */
    private void keep(ByteBuffer in, int start, int end) {
        int n = end - start;
        if (n == 0) {
            return;
        }
        int needed = carried + n;
        if (needed > carry.length) {
            long doubled = Math.max(FIRST_CARRY, 2L * carry.length);
            long capped = Math.min(doubled, maxLineLength + 1);
            carry = Arrays.copyOf(carry, (int) Math.max(needed, Math.min(capped, Integer.MAX_VALUE - 8)));
        }
        in.get(start, carry, carried, n);
        carried = needed;
    }
}
