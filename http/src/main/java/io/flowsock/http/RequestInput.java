package io.flowsock.http;

import io.flowsock.core.internal.HeapCopy;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpParser;

/**
 * What one {@link ServerConnection} has read and not parsed yet, and the parser it holds to
 * parse it: the input buffer (the inbound's loan while a read is delivered, else a copy of what
 * the loan left), the parser lent by the server's {@link RequestParsers} while a request is read
 * and served, and how far the request line has come.
 *
 * <p>Confined to the connection's serial loop.
 */
final class RequestInput {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final RequestParsers parsers;
    private RequestParsers.Lent lent;   // null while the connection waits for a request
    private ByteBuffer pending = NOTHING;
    private boolean loan;               // pending is the inbound's loan: valid only until the reader returns
    private boolean headStarted;
    private boolean requestLineSeen;
    private int requestLineBytes;

    RequestInput(RequestParsers parsers) {
        this.parsers = parsers;
    }

    /** The next buffer read; {@code loan} when it is valid only until the inbound's reader returns. */
    void arrived(ByteBuffer b, boolean loan) {
        pending = b;
        this.loan = loan;
    }

    /** The reader returns: what is left of the loan is kept as a copy. */
    void endLoan() {
        if (loan) {
            loan = false;
            pending = pending.hasRemaining() ? HeapCopy.of(pending) : NOTHING;
        }
    }

    /** Whether the input is the inbound's loan: the loop runs inside a read's delivery, on the port thread. */
    boolean isLoan() {
        return loan;
    }

    /** The input buffer itself, for a reader other than the HTTP parser (an upgraded connection's). */
    ByteBuffer pending() {
        return pending;
    }

    boolean hasRemaining() {
        return pending.hasRemaining();
    }

    boolean headStarted() {
        return headStarted;
    }

    /** The first bytes of a request head are here: a parser is taken for it. */
    void startHead() {
        headStarted = true;
        if (lent == null) {
            lent = parsers.take();
        }
    }

    /** Whether the request line, counted up to its LF, has passed {@code max} bytes. */
    boolean requestLineOver(int max) {
        if (requestLineSeen) {
            return false;
        }
        int from = pending.position();
        int end = pending.limit();
        for (int i = from; i < end; i++) {
            if (pending.get(i) == '\n') {
                requestLineSeen = true;
                requestLineBytes += i - from;
                return requestLineBytes > max;
            }
        }
        requestLineBytes += end - from;
        return requestLineBytes > max;
    }

    /** Parses what is here; the message says what came of it. */
    void parse() {
        lent.parser.parseNext(pending);
    }

    ParsedMessage.Request msg() {
        return lent.msg;
    }

    HttpParser parser() {
        return lent.parser;
    }

    /** Whether a message was begun and not ended: the peer closed in the middle of one. */
    boolean inMessage() {
        return lent != null && !lent.parser.isStart();
    }

    /** Waiting for a request: neither the parser nor the last input buffer is kept meanwhile. */
    void idle() {
        pending = NOTHING;
        giveParserBack();
    }

    /**
     * The last message ended cleanly (the connection waits for the next, or closes after it): the
     * parser, reset, serves whichever connection of this server reads a request next.
     */
    void giveParserBack() {
        if (lent != null) {
            if (!lent.parser.isStart()) {
                lent.parser.reset();   // closing after a request; between requests nextMessage() has reset it
            }
            parsers.giveBack(lent);
            lent = null;
        }
    }

    /** The exchange is over and the connection stays: the parser is ready for the next head. */
    void nextMessage() {
        lent.parser.reset();
        lent.msg.fieldCount = 0;
        headStarted = false;
        requestLineSeen = false;
        requestLineBytes = 0;
    }

    // ---- the body ----

    /**
     * Parses more of the body; false when it needs bytes that have not arrived. An empty buffer
     * is parsed too: the end of a body whose last byte came with an earlier buffer is only
     * reported by the next call.
     */
    boolean parseBody(boolean eof) {
        if (eof && !pending.hasRemaining()) {
            lent.parser.atEOF();
        }
        lent.parser.parseNext(pending);
        if (lent.msg.chunk != null) {
            // the parser hands content as a view of what it was given, ending where it stopped
            int n = lent.msg.chunk.remaining();
            lent.msg.chunk = pending.slice(pending.position() - n, n);
            return true;
        }
        return lent.msg.messageComplete || lent.msg.bad != null || lent.msg.earlyEof || pending.hasRemaining();
    }

    /** Whether the chunk {@link #takeChunk()} gives is a slice of the inbound's loan, valid only during this step. */
    boolean chunkLent() {
        return loan;
    }

    /** The body chunk the parser reported last, as a slice of the input buffer; null if none. */
    ByteBuffer takeChunk() {
        ByteBuffer c = lent.msg.chunk;
        lent.msg.chunk = null;
        return c;
    }

    /** What ends a body, as the parser reported it last: BAD (see {@link #bad()}), EARLY_EOF, COMPLETE; else NONE. */
    enum BodyEnd { NONE, BAD, EARLY_EOF, COMPLETE }

    BodyEnd takeBodyEnd() {
        BodyEnd end = lent.msg.bad != null ? BodyEnd.BAD : lent.msg.earlyEof ? BodyEnd.EARLY_EOF
                : lent.msg.messageComplete ? BodyEnd.COMPLETE : BodyEnd.NONE;
        lent.msg.messageComplete = false;
        lent.msg.earlyEof = false;
        return end;
    }

    HttpException bad() {
        return lent.msg.bad;
    }
}
