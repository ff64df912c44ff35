package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * One request and its response on a {@link ServerConnection}: feeds the body as its subscriber
 * asks, starts the response's write once it is claimed, and tells the connection when both are
 * done. Runs inside the connection's serial loop; the volatile fields are the events other
 * threads record for it.
 */
final class Exchange implements CoreSubscriber<Void> {
    private static final Logger LOG = Loggers.getLogger(Exchange.class);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    /** A whole body up to this size goes out in the head's buffer: one write, one segment. */
    private static final int COPY_INTO_HEAD = 16 * 1024;
    /**
     * A streamed body buffer up to this size goes out framed in one buffer (size line, bytes, CRLF)
     * rather than three: a server-sent event is one buffer of sendCap, so four go in one write.
     */
    private static final int COPY_INTO_CHUNK = 1024;

    private final ServerConnection owner;
    final ServerRequest request;
    final ServerResponse response;

    boolean bodyDone;
    private boolean bodyFailed;
    private boolean discarding;
    private long bodyBytes;
    private long drained;
    private boolean continueSent;
    private boolean sendStarted;
    private boolean keepAlive;
    private boolean mustClose;   // an error answer or a broken body: the connection ends with this exchange
    private boolean serverAnswered;

    /** Set by the handler's Publisher (any thread). */
    private volatile boolean handlerDone;
    private volatile Throwable handlerError;
    /** Set by the write's end (a port thread). */
    private volatile boolean written;
    private volatile Throwable writeError;

    Exchange(ServerConnection owner, ServerRequest request, ServerResponse response) {
        this.owner = owner;
        this.request = request;
        this.response = response;
    }

    void run(BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
        Publisher<Void> p;
        try {
            p = java.util.Objects.requireNonNull(handler.apply(request, response), "the handler returned null");
        } catch (RuntimeException e) {
            handlerError = e;
            return;
        }
        p.subscribe(this);   // the exchange subscribes the handler's Publisher itself: one object less per request
    }

    @Override
    public void onSubscribe(Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Void v) {
    }

    @Override
    public void onError(Throwable e) {
        handlerError = e;
        owner.drain();
    }

    @Override
    public void onComplete() {
        handlerDone = true;
        owner.drain();
    }

    /** One step of the loop; true when it made progress. */
    boolean step() {
        if (!bodyDone && body()) {
            return true;
        }
        if (bodyDone && !bodyFailed) {
            request.body.complete();   // now or once it is subscribed: an idempotent call per step
        }
        Throwable failed = handlerError;
        if (failed != null && !serverAnswered) {
            serverAnswered = true;
            if (!handlerFailed(failed)) {
                return false;
            }
        }
        if (handlerDone && !serverAnswered) {
            serverAnswered = true;
            response.claimForServer(0, null);   // nothing sent: an empty response with the status set
        }
        ServerResponse.Body b = response.body;
        if (!sendStarted && b != null) {
            sendStarted = true;
            startSend(b);
            return true;
        }
        if (written && (handlerDone || handlerError != null)) {
            return finish();
        }
        return false;
    }

    /** Reads the body as far as its subscriber, or the drain after the response, allows. */
    private boolean body() {
        RequestBody body = request.body;
        if (!discarding && body.abandoned()) {
            discarding = true;
        }
        if (!discarding && !body.wants()) {
            return false;
        }
        if (request.expectContinue && !continueSent) {
            continueSent = true;
            if (!sendStarted) {
                owner.sendContinue();   // the client waits for this before it sends the body
            }
        }
        if (!owner.parseBody()) {
            return false;
        }
        ByteBuffer c = owner.takeChunk();
        if (c != null && c.hasRemaining()) {
            bodyBytes += c.remaining();
            if (bodyBytes > owner.limits().maxBodySize()) {
                failBody(413, "the body passed " + owner.limits().maxBodySize() + " bytes");
                return true;
            }
            if (discarding) {
                drained += c.remaining();
                if (drained > ServerConnection.DRAIN_LIMIT) {
                    owner.close();   // not worth reading: the connection goes instead
                    return false;
                }
            } else {
                body.next(c, owner.chunkLent());
            }
        }
        switch (owner.takeBodyEnd()) {
            case BAD -> failBody(owner.bad().getCode(), owner.bad().getReason());
            // the parser reports a malformed body after a complete head as an early end, too
            case EARLY_EOF -> failBody(owner.atEof() ? 0 : 400, owner.atEof()
                    ? "the client closed the connection before the body ended (" + bodyBytes + " bytes read)"
                    : "the body is malformed (an invalid chunk size or chunk framing) after " + bodyBytes + " bytes");
            case COMPLETE -> bodyDone = true;
            default -> { }
        }
        return true;
    }

    private void failBody(int status, String reason) {
        bodyDone = true;
        bodyFailed = true;
        mustClose = true;
        HttpBodyException e = new HttpBodyException(status, reason + " on " + request);
        request.body.fail(e);
        if (!request.body.isSubscribed() && !response.isCommitted() && status != 0) {
            serverAnswered = true;
            response.claimForServer(status, status + " " + HttpStatus.reason(status) + ": " + reason + "\n");
        }
    }

    /** The handler failed; false when the connection was aborted. */
    private boolean handlerFailed(Throwable e) {
        int status = e instanceof HttpBodyException b && b.status() != 0 ? b.status() : 500;
        mustClose = true;
        if (response.claimForServer(status, status + " " + HttpStatus.reason(status) + "\n")) {
            if (status == 500) {
                LOG.warn("flowsock-http: the handler failed on " + request + "; answered 500", e);
            }
            return true;
        }
        if (!sendStarted || !written) {
            // the head is out, the body is not whole: only closing tells the client the truth
            LOG.warn("flowsock-http: the handler failed on " + request + " after the response was committed;"
                    + " closing the connection abortively", e);
            owner.abort();
            return false;
        }
        return true;
    }

    /** Both sides are done: keep the connection for the next request, drain what is left, or close. */
    private boolean finish() {
        if (writeError != null) {
            owner.abort();
            return false;
        }
        if (!keepAlive || handlerError != null) {
            if (bodyDone && !bodyFailed) {
                owner.giveParserBack();   // the request was read whole: another connection can use it
            }
            owner.close();
            return false;
        }
        if (!bodyDone && !discarding) {
            discarding = true;   // the loop reads and drops the rest, then comes back here
            request.body.expire(new BodyDropped(request));
        }
        if (!bodyDone) {
            return body();
        }
        if (!request.body.isSubscribed()) {
            request.body.expireWhole();   // a late subscriber of an empty body sees it end
        }
        owner.next();
        return true;
    }

    // ---- the response on the wire ----

    private void startSend(ServerResponse.Body b) {
        if (request.expectContinue && !continueSent && !bodyDone && b.stream() != null) {
            // a streamed answer (an echo, a transform) reads the body as it goes: invite it first
            continueSent = true;
            owner.sendContinue();
        }
        int status = response.status();
        HttpHeaders h = response.headers();
        boolean http11 = request.version().equals("HTTP/1.1");
        boolean head = request.method().equals("HEAD");
        boolean noContent = HttpStatus.hasNoContent(status);
        long length = -1;
        boolean chunked = false;
        boolean closeDelimited = false;
        HttpCompression compression = owner.limits().compression();
        if (compression != null && !head && !noContent) {
            b = compression.apply(b, request.headers(), h);
        }
        int present = h.framing();   // one pass; a remove scans again only for a field that is there
        if (noContent) {
            removeIf(h, present, HttpHeaders.TRANSFER_ENCODING, "Transfer-Encoding");
            removeIf(h, present, HttpHeaders.CONTENT_LENGTH, "Content-Length");
        } else if (b.whole() != null) {
            length = b.whole().remaining();
            removeIf(h, present, HttpHeaders.TRANSFER_ENCODING, "Transfer-Encoding");
            if (!(head && (present & HttpHeaders.CONTENT_LENGTH) != 0)) {
                removeIf(h, present, HttpHeaders.CONTENT_LENGTH, "Content-Length");
                h.addTrusted("Content-Length", Long.toString(length));
            }
        } else if ((present & HttpHeaders.CONTENT_LENGTH) != 0) {
            length = parseLength(h.get("Content-Length").get());
            removeIf(h, present, HttpHeaders.TRANSFER_ENCODING, "Transfer-Encoding");
        } else if (http11) {
            chunked = true;
            removeIf(h, present, HttpHeaders.TRANSFER_ENCODING, "Transfer-Encoding");
            h.addTrusted("Transfer-Encoding", "chunked");
        } else {
            closeDelimited = true;
        }
        // a whole answer to a large body nobody reads: say close now rather than read it all to drop it
        boolean largeUnread = b.whole() != null && !bodyDone && !request.body.isSubscribed()
                && request.contentLength().orElse(0) > ServerConnection.DRAIN_LIMIT;
        keepAlive = !mustClose && request.isKeepAlive() && response.keepAlive() && owner.mayKeepAlive()
                && !closeDelimited && !(request.expectContinue && !continueSent && !bodyDone) && !largeUnread;
        removeIf(h, present, HttpHeaders.CONNECTION, "Connection");
        boolean copy = b.whole() != null && !head && !noContent && length <= COPY_INTO_HEAD;
        // sized to what goes in, so the array is never copied to grow: status line, fields, Date, Connection
        Ascii out = new Ascii(64 + h.byteLength() + 64 + (copy ? (int) length : 0));
        HttpStatus.statusLine(out, status);
        h.writeTo(out);
        if ((present & HttpHeaders.DATE) == 0) {
            out.append(DateHeader.line());
        }
        if (!keepAlive) {
            out.append("Connection: close\r\n");
        } else if (!http11) {
            out.append("Connection: keep-alive\r\n");
        }
        out.crlf();
        Publisher<ByteBuffer> wire;
        if (head || noContent) {
            wire = Mono.just(out.toBuffer());
        } else if (b.whole() != null) {
            if (copy) {
                wire = Mono.just(out.append(b.whole()).toBuffer());
            } else {
                wire = Flux.just(out.toBuffer(), b.whole());
            }
        } else if (chunked) {
            wire = Flux.concat(Mono.just(out.toBuffer()),
                    Flux.from(b.stream()).filter(ByteBuffer::hasRemaining).concatMapIterable(Exchange::chunk),
                    Mono.fromSupplier(() -> ByteBuffer.wrap(LAST_CHUNK)));
        } else if (length >= 0) {
            wire = Flux.concat(Mono.just(out.toBuffer()), counted(Flux.from(b.stream()), length));
        } else {
            wire = Flux.concat(Mono.just(out.toBuffer()), b.stream());
        }
        owner.connection().send(wire).subscribe(new WriteEnd(b.sink()));
    }

    private static void removeIf(HttpHeaders h, int present, int bit, String name) {
        if ((present & bit) != 0) {
            h.remove(name);
        }
    }

    private static long parseLength(String value) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the error naming the value
        }
        throw new IllegalArgumentException("the response's Content-Length must be a number >= 0, was \"" + value + "\"");
    }

    private static List<ByteBuffer> chunk(ByteBuffer b) {
        int n = b.remaining();
        if (n <= COPY_INTO_CHUNK) {
            return List.of(new Ascii(n + 12).appendHex(n).crlf().append(b).crlf().toBuffer());
        }
        Ascii size = new Ascii(12).appendHex(n).crlf();
        return List.of(size.toBuffer(), b, ByteBuffer.wrap(CRLF));
    }

    /** Holds a streamed body to the Content-Length the handler declared. */
    private static Flux<ByteBuffer> counted(Flux<? extends ByteBuffer> body, long length) {
        long[] sent = {0};
        return body.<ByteBuffer>handle((b, sink) -> {
            sent[0] += b.remaining();
            if (sent[0] > length) {
                sink.error(new IllegalStateException("the response body is longer than its Content-Length, " + length));
            } else {
                sink.next(b);
            }
        }).concatWith(Mono.defer(() -> sent[0] == length ? Mono.empty() : Mono.error(new IllegalStateException(
                "the response body ended after " + sent[0] + " bytes; its Content-Length says " + length))));
    }

    /**
     * Why a late subscriber of a body gets nothing. Made on every request whose end the parser has
     * not reported yet when the response is written (every GET: the end comes with the next parse),
     * and rarely read: so no stack trace, which would only show this loop, and the message is
     * formatted when asked for.
     */
    private static final class BodyDropped extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final transient ServerRequest request;

        BodyDropped(ServerRequest request) {
            this.request = request;
        }

        @Override
        public String getMessage() {
            return "the exchange of " + request + " ended before its body was read; the rest of the body is dropped";
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Subscribes the write: tells the handler's send Mono, and then the loop, that it ended. */
    private final class WriteEnd implements CoreSubscriber<Void> {
        private final ServerResponse.Sent sent;   // null for the server's own answer

        WriteEnd(ServerResponse.Sent sent) {
            this.sent = sent;
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Void v) {
        }

        @Override
        public void onComplete() {
            written = true;
            if (sent != null) {
                sent.success();
            }
            owner.drain();
        }

        @Override
        public void onError(Throwable e) {
            writeError = e;
            written = true;
            if (sent != null) {
                sent.error(e);
            }
            owner.drain();
        }
    }
}
