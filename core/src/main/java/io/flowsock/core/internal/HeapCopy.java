package io.flowsock.core.internal;

import java.nio.ByteBuffer;

/**
 * The copy that turns a buffer the library lent (a port's receive buffer) into one its receiver
 * owns for good: a right-sized heap buffer of the source's remaining bytes. The source is left as
 * it was, position included, so copying a buffer that is also queued for writing leaves that
 * write whole. Shared by the core's input and output, the reactive layer's send, which copies
 * a loan before it leaves the library through a Reactor hook, and the HTTP server, which copies
 * what it leaves unparsed of a lent buffer and a body chunk for a subscriber that owns it.
 */
public final class HeapCopy {
    private HeapCopy() {
    }

    /** A heap copy of {@code src}'s remaining bytes, positioned at 0; {@code src} is not moved. */
    public static ByteBuffer of(ByteBuffer src) {
        int n = src.remaining();
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(0, src, src.position(), n);
        return copy;
    }
}
