package io.flowsock.core;

import java.nio.ByteBuffer;

/**
 * The plaintext buffers of each port thread, shared by every TLS connection it serves: records are
 * unwrapped into them, and the core copies or consumes them within the read's completion (as it
 * does the port's receive buffers), so one set per thread is enough and a connection holds none.
 *
 * <p>Each port thread reaches only its own set, through a thread local: no synchronisation.
 */
final class TlsPlainBuffers {
    private static final ThreadLocal<ByteBuffer[]> PLAIN = new ThreadLocal<>();

    private TlsPlainBuffers() {
    }

    /** This thread's first {@code count} plaintext buffers, each of at least {@code size} bytes; not cleared. */
    static ByteBuffer[] take(int count, int size) {
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
            if (p[i] == null || p[i].capacity() < size) {
                p[i] = ByteBuffer.allocate(size);
            }
        }
        return p;
    }
}
