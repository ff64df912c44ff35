package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;

/**
 * What Jetty's {@link HttpParser} reported of one message, for the server's and the client's
 * connection alike: the head's fields, and the events of the last parse call (the head is whole,
 * a body chunk, the end, a bad message, an early end). Each callback only records; the connection
 * reads and clears what it needs after {@code parseNext} returns. The parser stops after the head,
 * after each chunk and at the end, so the connection can check demand and framing in between.
 *
 * <p>One per connection, confined to that connection's serial loop.
 */
abstract class ParsedMessage implements HttpParser.HttpHandler {
    /** The parsed fields, name, value...: one list per connection, copied once into each message's headers. */
    final ArrayList<String> fields = new ArrayList<>(32);
    /** Fields seen in this head, kept or not: past {@link #maxFields} they are counted and dropped. */
    int fieldCount;
    private final int maxFields;

    boolean headComplete;
    boolean messageComplete;
    boolean earlyEof;
    HttpException bad;
    ByteBuffer chunk;

    ParsedMessage(int maxFields) {
        this.maxFields = maxFields;
    }

    /** The message ended and its parser goes back to the pool: nothing of it is kept. */
    void clear() {
        startHead();
        headComplete = false;
        messageComplete = false;
        earlyEof = false;
        bad = null;
        chunk = null;
    }

    /** A new head starts: forget the last one's fields. */
    final void startHead() {
        fields.clear();
        fieldCount = 0;
    }

    @Override
    public final void parsedHeader(HttpField field) {
        if (++fieldCount <= maxFields) {
            fields.add(field.getName());
            fields.add(field.getValue() == null ? "" : field.getValue());
        }
    }

    @Override
    public final boolean headerComplete() {
        headComplete = true;
        return true;
    }

    @Override
    public final boolean content(ByteBuffer content) {
        chunk = content;
        return true;   // one chunk per call: the loop checks demand before the next
    }

    @Override
    public final boolean contentComplete() {
        return false;
    }

    @Override
    public final boolean messageComplete() {
        messageComplete = true;
        return true;   // stop: what follows is the next message, parsed once this one is done
    }

    @Override
    public final void earlyEOF() {
        earlyEof = true;
    }

    @Override
    public final void badMessage(HttpException failure) {
        bad = failure;
    }

    /** A request's start line, on the server. */
    static final class Request extends ParsedMessage implements HttpParser.RequestHandler {
        String method;
        String uri;
        HttpVersion version;

        Request(int maxFields) {
            super(maxFields);
        }

        @Override
        void clear() {
            super.clear();
            method = null;
            uri = null;
            version = null;
        }

        /**
         * Whether the server refuses this complete head, which the parser took, under {@code limits}:
         * too many fields (431), a version other than 1.0 and 1.1 (505), a declared body over the
         * limit (413). The refusal is then in {@link #bad}, as the parser's own are.
         */
        boolean refused(HttpParser parser, HttpLimits limits) {
            long length = parser.isChunking() ? -1 : Math.max(0, parser.getContentLength());
            if (fieldCount > limits.maxHeaders()) {
                bad = new HttpException.RuntimeException(431, "the request has " + fieldCount
                        + " header fields; at most " + limits.maxHeaders() + " are allowed");
            } else if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
                bad = new HttpException.RuntimeException(505, "HTTP/1.0 and HTTP/1.1 are served here, not " + version);
            } else if (length > limits.maxBodySize()) {
                bad = new HttpException.RuntimeException(413, "the body is " + length + " bytes; at most "
                        + limits.maxBodySize() + " are allowed");
            }
            return bad != null;
        }

        @Override
        public void startRequest(String method, String uri, HttpVersion version) {
            this.method = method;
            this.uri = uri;
            this.version = version;
            startHead();
        }
    }

    /** A response's status line, on the client. */
    static final class Response extends ParsedMessage implements HttpParser.ResponseHandler {
        int status;
        HttpVersion version;

        Response() {
            super(Integer.MAX_VALUE);   // the client takes the head as big as its byte limit allows
        }

        @Override
        public void startResponse(HttpVersion version, int status, String reason) {
            this.version = version;
            this.status = status;
            startHead();
        }
    }
}
