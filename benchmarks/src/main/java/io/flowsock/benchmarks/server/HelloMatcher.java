package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.Protocol;

/**
 * Recognises the client's "hello" whatever buffers TCP cut it into. One per connection; used
 * only from the thread that delivers that connection's reads.
 */
final class HelloMatcher {
    private int seen;

    /**
     * Takes the next inbound byte. Returns true for the byte that completes "hello"; bytes after
     * it are ignored. Throws for a byte that differs, so a framing bug cannot pass as a fast run.
     */
    boolean add(byte b) {
        if (seen >= Protocol.HELLO.length) {
            return false;
        }
        if (b != Protocol.HELLO[seen]) {
            throw new IllegalStateException("expected \"hello\", byte " + seen + " was " + b);
        }
        seen++;
        return seen == Protocol.HELLO.length;
    }
}
