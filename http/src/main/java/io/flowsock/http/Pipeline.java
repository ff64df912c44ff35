package io.flowsock.http;

import io.flowsock.reactive.Connection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.reactivestreams.Publisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * One connection's answers on their way out, in the order of their requests. Every answer and
 * interim {@code 100 Continue} is sent through here, so the order of the calls is the order on
 * the wire. Whole answers given while the connection's loop runs inside a read's delivery are
 * joined into one {@link ResponseBatch}, sent when the loop lets the read go (the write itself
 * waits for the delivery's end); and the exchanges whose answers are queued whole may be
 * {@link #retire retired} before their writes end, so that the pipelined requests behind them are
 * read meanwhile.
 *
 * <p>Confined to the connection's serial loop.
 */
final class Pipeline {
    /**
     * Most answers queued, not yet written, while the pipelined requests behind them are read: a
     * client that pipelines without reading holds at most this many in the server's memory.
     */
    static final int READ_AHEAD = 16;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Connection conn;
    private ArrayDeque<Exchange> retired;   // answers queued whole whose writes or handlers have not ended
    // The whole answers gathered for one send: the first alone in held (the usual case, one request
    // a read, then costs no batch), a batch from the second on.
    private ByteBuffer held;
    private CoreSubscriber<Void> heldEnd;
    private ResponseBatch batch;

    Pipeline(Connection conn) {
        this.conn = conn;
    }

    /** Sends an answer that is one buffer: gathered with the others of this delivery when {@code gather}, else at once. */
    void send(ByteBuffer answer, CoreSubscriber<Void> end, boolean gather) {
        if (!gather) {
            send(Mono.just(answer), end);
            return;
        }
        if (held != null) {
            batch = new ResponseBatch();
            batch.add(held, heldEnd);
            held = null;
            heldEnd = null;
        } else if (batch != null && !batch.fits(answer)) {
            flush();
        }
        if (batch == null) {
            held = answer;
            heldEnd = end;
        } else {
            batch.add(answer, end);
        }
    }

    /** Sends {@code wire} behind the answers gathered before it. */
    void send(Publisher<ByteBuffer> wire, CoreSubscriber<Void> end) {
        flush();
        conn.send(wire).subscribe(end);
    }

    void sendContinue() {
        flush();
        conn.send(Mono.just(ByteBuffer.wrap(CONTINUE))).subscribe(null, e -> { });
    }

    /** Sends the gathered answers, joined, as one buffer. */
    void flush() {
        if (held != null) {
            ByteBuffer a = held;
            CoreSubscriber<Void> e = heldEnd;
            held = null;
            heldEnd = null;
            conn.send(Mono.just(a)).subscribe(e);
        } else if (batch != null) {
            ResponseBatch b = batch;
            batch = null;
            conn.send(Mono.just(b.joined())).subscribe(b);
        }
    }

    /** Whether another exchange may be retired before its write ends. */
    boolean hasRoom() {
        return retired == null || retired.size() < READ_AHEAD;
    }

    /** The exchange's whole answer is queued: it ends by itself, see {@link #settle()}. */
    void retire(Exchange e) {
        if (retired == null) {
            retired = new ArrayDeque<>(READ_AHEAD);
        }
        retired.add(e);
    }

    /** Forgets the retired exchanges that have ended; false, at once, when one of them ended the connection. */
    boolean settle() {
        if (retired == null) {
            return true;
        }
        for (Iterator<Exchange> it = retired.iterator(); it.hasNext(); ) {
            Exchange e = it.next();
            if (e.settled()) {
                it.remove();
                if (e.endedConnection()) {
                    return false;
                }
            }
        }
        return true;
    }
}
