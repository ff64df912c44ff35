package io.flowsock.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpParser;

/**
 * The request parsers of one bound server, lent to its connections while they read a request and
 * given back while they wait for the next one. A parser with its {@link ParsedMessage.Request} and
 * the strings, builders and field list they keep is about 600 bytes of heap; a keep-alive connection
 * waiting for its next request, which is what most connections of a busy server are doing, holds
 * none of it. At most {@link #KEPT} parsers are kept; beyond that they are left to the garbage
 * collector.
 *
 * <p><b>Threading.</b> Any thread (connections run their loops where their signals arrive); the
 * lock is held for one deque operation.
 */
final class RequestParsers {
    static final int KEPT = 256;

    private final int maxHeaders;
    private final int maxHeaderSize;
    private final ArrayDeque<Lent> kept = new ArrayDeque<>();

    RequestParsers(HttpLimits limits) {
        this.maxHeaders = limits.maxHeaders();
        this.maxHeaderSize = limits.maxHeaderSize();
    }

    /**
     * Loads and initialises the parser's classes on the calling thread. Jetty's first parser
     * reads service files off the class path, which is blocking I/O: done lazily it would happen
     * on the first connection's port thread.
     */
    static void warmUp() {
        HttpParser p = new HttpParser(new ParsedMessage.Request(1), 1024, HttpCompliance.RFC9110);
        p.parseNext(ByteBuffer.wrap("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII)));
        DateHeader.line();
    }

    /** A parser at the start of a message, with the message it reports into, empty. */
    Lent take() {
        Lent p;
        synchronized (kept) {
            p = kept.poll();
        }
        return p != null ? p : new Lent(new ParsedMessage.Request(maxHeaders), maxHeaderSize);
    }

    /** Takes back a parser whose last message ended cleanly (it was reset for the next one). */
    void giveBack(Lent p) {
        p.msg.clear();
        synchronized (kept) {
            if (kept.size() < KEPT) {
                kept.push(p);
            }
        }
    }

    /** How many are kept now. */
    int kept() {
        synchronized (kept) {
            return kept.size();
        }
    }

    /** One parser and the message it reports into: they are lent together. */
    static final class Lent {
        final ParsedMessage.Request msg;
        final HttpParser parser;

        Lent(ParsedMessage.Request msg, int maxHeaderSize) {
            this.msg = msg;
            this.parser = new HttpParser(msg, maxHeaderSize, HttpCompliance.RFC9110);
        }
    }
}
