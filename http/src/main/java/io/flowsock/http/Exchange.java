package io.flowsock.http;

import java.nio.ByteBuffer;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
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
final class Exchange extends EndSubscriber {
    private static final Logger LOG = Loggers.getLogger(Exchange.class);
    /** A whole body up to this size goes out in the head's buffer: one write, one segment. */
    private static final int COPY_INTO_HEAD = 16 * 1024;

    private final ServerConnection owner;
    private final RequestInput input;
    private final Pipeline pipeline;
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
    private boolean wholeWire;   // the response is handed to the connection in buffers made up front, not streamed

    /** Set by the handler's Publisher (any thread). */
    private volatile boolean handlerDone;
    private volatile Throwable handlerError;
    /** Set by the write's end (a port thread). */
    private volatile boolean written;
    private volatile Throwable writeError;

    Exchange(ServerConnection owner, RequestInput input, Pipeline pipeline, ServerRequest request, ServerResponse response) {
        this.owner = owner;
        this.input = input;
        this.pipeline = pipeline;
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
        if (queuedWhole() && owner.mayReadAhead()) {
            endBody();
            owner.retire(this);   // its bytes are queued ahead of any later answer; the next request is read now
            return true;
        }
        return false;
    }

    /**
     * Whether the response is queued on the connection whole and nothing about this exchange can
     * change what goes on the wire or whether the connection stays: then the next pipelined request
     * may be read while this response is still being written.
     */
    private boolean queuedWhole() {
        return sendStarted && wholeWire && bodyDone && !bodyFailed && keepAlive && !mustClose && handlerError == null;
    }

    /**
     * For an exchange {@link ServerConnection#retire retired} before its write ended: true once its
     * write and its handler have ended. A failed write aborts the connection; a handler failing
     * after its whole answer was queued closes it once the answers before the close are written,
     * as {@link #finish()} does for an exchange that was not retired.
     */
    boolean settled() {
        if (writeError != null) {
            owner.abort();
            return true;
        }
        Throwable failed = handlerError;
        if (failed != null) {
            LOG.debug("flowsock-http: the handler failed on {} after its answer was queued; closing", request, failed);
            owner.close();
            return true;
        }
        return written && handlerDone;
    }

    /** The body was read whole and the connection goes on: a late subscriber of an empty body sees it end. */
    private void endBody() {
        if (!request.body.isSubscribed()) {
            request.body.expireWhole();
        }
    }

    /** For a {@link #settled()} retired exchange: whether it ended the connection. */
    boolean endedConnection() {
        return writeError != null || handlerError != null;
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
                pipeline.sendContinue();   // the client waits for this before it sends the body
            }
        }
        if (!owner.parseBody()) {
            return false;
        }
        ByteBuffer c = input.takeChunk();
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
                body.next(c, input.chunkLent());
            }
        }
        switch (input.takeBodyEnd()) {
            case BAD -> failBody(input.bad().getCode(), input.bad().getReason());
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
                input.giveParserBack();   // the request was read whole: another connection can use it
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
        endBody();
        owner.next();
        return true;
    }

    // ---- the response on the wire ----

    private void startSend(ServerResponse.Body b) {
        if (b.upgrade() != null) {
            upgrade(b);
            return;
        }
        if (request.expectContinue && !continueSent && !bodyDone && b.stream() != null) {
            // a streamed answer (an echo, a transform) reads the body as it goes: invite it first
            continueSent = true;
            pipeline.sendContinue();
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
            boolean declared = (present & HttpHeaders.CONTENT_LENGTH) != 0;
            // kept as it is when the handler declared it right (a HEAD's is the GET's): Spring declares it for a Mono
            if (!(declared && (head || h.holdsOnly("Content-Length", length)))) {
                removeIf(h, present, HttpHeaders.CONTENT_LENGTH, "Content-Length");
                h.addTrusted("Content-Length", Long.toString(length));
            }
        } else if ((present & HttpHeaders.CONTENT_LENGTH) != 0) {
            length = StreamFraming.declaredLength(h.get("Content-Length").get());
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
        WriteEnd end = new WriteEnd(b.sink());
        wholeWire = head || noContent || b.whole() != null;
        if (head || noContent || copy) {
            // one buffer: joined with the answers beside it when pipelined requests are read ahead
            pipeline.send(head || noContent ? out.toBuffer() : out.append(b.whole()).toBuffer(), end, owner.gathers());
            return;
        }
        Publisher<ByteBuffer> wire;
        if (b.whole() != null) {
            wire = Flux.just(out.toBuffer(), b.whole());
        } else if (chunked) {
            wire = StreamFraming.chunked(out.toBuffer(), b.stream());
        } else if (length >= 0) {
            wire = StreamFraming.counted(out.toBuffer(), b.stream(), length);
        } else {
            wire = Flux.concat(Mono.just(out.toBuffer()), b.stream());
        }
        pipeline.send(wire, end);
    }

    /**
     * A response that becomes a WebSocket: the 101 and the hand-over of the connection to the
     * session, or, for a request that is no handshake, 400 (426 for another version) and a close.
     */
    private void upgrade(ServerResponse.Body b) {
        HttpHeaders h = response.headers();
        WebSocketHandshake.clearOwned(h);
        String refused = WebSocketHandshake.refusal(request);
        if (refused != null) {
            keepAlive = false;
            wholeWire = true;
            pipeline.send(WebSocketHandshake.refusalAnswer(refused),
                    new WriteEnd(b.sink(), new WebSocketException(0, refused + " on " + request)), owner.gathers());
            return;
        }
        String protocol = WebSocketHandshake.agreed(request, b.upgrade().spec());
        PerMessageDeflate.Agreed extension = WebSocketHandshake.extension(request, b.upgrade().spec());
        pipeline.send(WebSocketHandshake.switching(request, protocol, extension, h), new EndSubscriber() {
            @Override
            public void onError(Throwable e) {
                // the connection failed: the session hears it from the connection's close
            }

            @Override
            public void onComplete() {
            }
        }, false);
        ServerResponse.Sent sent = b.sink();
        owner.upgrade(new WebSocketSession(owner, false, request.headers(), request.path(), b.upgrade().spec(),
                b.upgrade().fn(), protocol, extension == null ? null : extension.deflate(), sent));
    }

    private static void removeIf(HttpHeaders h, int present, int bit, String name) {
        if ((present & bit) != 0) {
            h.remove(name);
        }
    }

    /** Subscribes the write: tells the handler's send Mono, and then the loop, that it ended. */
    private final class WriteEnd extends EndSubscriber {
        private final ServerResponse.Sent sent;   // null for the server's own answer
        private final Throwable failWith;         // a refused WebSocket handshake: the send fails once its answer is out

        WriteEnd(ServerResponse.Sent sent) {
            this(sent, null);
        }

        WriteEnd(ServerResponse.Sent sent, Throwable failWith) {
            this.sent = sent;
            this.failWith = failWith;
        }

        @Override
        public void onComplete() {
            written = true;
            if (sent != null) {
                if (failWith != null) {
                    sent.error(failWith);
                } else {
                    sent.success();
                }
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
