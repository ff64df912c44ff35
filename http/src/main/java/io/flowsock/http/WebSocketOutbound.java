package io.flowsock.http;

import io.flowsock.reactive.Connection;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.concurrent.Queues;

/**
 * A WebSocket's sending side: one {@code conn.send} for the WebSocket's life, which carries the
 * pongs merged with the application's sends a whole frame at a time, so a pong never waits behind
 * a whole stream nor lands between a large frame's header and payload ({@link FrameWire} gives the
 * frames to the connection buffer by buffer). The close frame is not merged with the pongs: it
 * comes from {@link SendsCut}, behind the sends, and the stream ends right after it. Closing cuts
 * whatever send is still running (its upstream is cancelled and its Mono fails), but a frame it
 * already handed to the stream still goes out ahead of the close frame: merged with the pongs, the
 * close frame could overtake a frame waiting in the merge for the connection's demand, and that
 * message would be lost.
 *
 * <p>Sends are subscribed on any thread and queued; the connection's loop takes them into the
 * stream ({@link #takeSends}), and alone emits control frames. Fields without a comment are
 * confined to the loop.
 */
final class WebSocketOutbound {
    private static final Logger LOG = Loggers.getLogger(WebSocketOutbound.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** A send subscribed on any thread: its frames, and its Mono's sink. */
    private record Pending(Flux<ByteBuffer[]> frames, MonoSink<Void> done) { }

    private final WebSocketHost owner;
    private final boolean mask;   // the client's side: every frame masked
    /** permessage-deflate, when agreed: text and binary messages go compressed. */
    private final PerMessageDeflate deflate;
    private final Connection conn;
    /** Run (on the send's thread) when a send fails: the session closes with 1011. */
    private final Runnable onSendFailure;
    /** Sends subscribed on any thread, taken into the outbound stream by the loop. */
    private final Queue<Pending> asked = new ConcurrentLinkedQueue<>();
    /** Every send whose Mono has not ended: failed when the connection closes (a queued send may never run). */
    private final Queue<MonoSink<Void>> unfinished = new ConcurrentLinkedQueue<>();
    // small linked queues: an idle WebSocket holds a few slots, not Reactor's default 256-slot arrays
    // whole frames (a header and its payload may be two buffers) are what is merged, so a pong
    // never lands between a frame's header and its payload
    private final Sinks.Many<ByteBuffer[]> control =
            Sinks.many().unicast().onBackpressureBuffer(Queues.<ByteBuffer[]>unbounded(8).get());
    private final Sinks.Many<Flux<ByteBuffer[]>> sends =
            Sinks.many().unicast().onBackpressureBuffer(Queues.<Flux<ByteBuffer[]>>unbounded(4).get());
    /** The sends, one after another, until the close cuts them. */
    private final SendsCut sendsCut;
    /** The client's mask keys, from a generator seeded by SecureRandom (RFC 6455, 5.3); null on the server. */
    private final SplittableRandom masks;
    private Disposable wire;
    /** Set by the outbound stream's end (a port thread). */
    private volatile boolean done;

    WebSocketOutbound(WebSocketHost owner, boolean mask, PerMessageDeflate deflate, Runnable onSendFailure) {
        this.owner = owner;
        this.deflate = deflate;
        this.mask = mask;
        this.masks = mask ? new SplittableRandom(SEEDS.nextLong()) : null;
        this.conn = owner.connection();
        this.onSendFailure = onSendFailure;
        this.sendsCut = new SendsCut(Flux.concat(sends.asFlux(), 1));
    }

    /** Starts the outbound stream, once the 101 is queued ahead of it. */
    void start() {
        // the close frame comes from sendsCut, behind what the sends emitted before the cut
        Flux<ByteBuffer> out = new FrameWire(Flux.merge(1, control.asFlux(), sendsCut)
                .takeUntil(sendsCut::isCloseFrame));
        wire = conn.send(out).subscribe(null, e -> {
            LOG.debug("flowsock-http: the WebSocket on {} failed to write", conn, e);
            done = true;
            owner.drain();
        }, () -> {
            done = true;
            owner.drain();
        });
    }

    /** Whether the outbound stream ended: the close frame is written, or the write failed. */
    boolean isDone() {
        return done;
    }

    /** Queues a send (any thread); the loop takes it into the stream. */
    void add(Publisher<WebSocketMessage> messages, MonoSink<Void> sink) {
        unfinished.add(sink);
        sink.onDispose(() -> unfinished.remove(sink));
        asked.add(new Pending(frames(messages, sink), sink));
        owner.drain();
    }

    /** Takes the queued sends into the stream, or fails them once the close frame is sent; true when there were any. */
    boolean takeSends(boolean closeSent) {
        boolean progress = false;
        for (Pending s; (s = asked.poll()) != null; ) {
            if (closeSent) {
                s.done().error(new IllegalStateException("the WebSocket is closed: nothing more can be sent"));
            } else {
                sends.tryEmitNext(s.frames());
            }
            progress = true;
        }
        return progress;
    }

    /** Answers a ping. */
    void pong(ByteBuffer payload) {
        control.tryEmitNext(encode(WebSocketFrames.PONG, payload));
    }

    /**
     * Sends the close frame after what the sends already handed to the stream, cuts the sends, and
     * ends the stream after it.
     */
    void close(WebSocketClose c) {
        ByteBuffer payload = c.code() == WebSocketClose.NO_STATUS ? EMPTY : WebSocketFrames.closePayload(c.code(), c.reason());
        sendsCut.cut(encode(WebSocketFrames.CLOSE, payload));
        sends.tryEmitComplete();
        control.tryEmitComplete();
    }

    /** Stops writing: a peer that is gone or silent is sent nothing more. */
    void cut() {
        if (!done && wire != null) {
            wire.dispose();
        }
    }

    /** The TCP connection closed (any thread): every send not yet ended fails with {@code why}. */
    void connectionClosed(Throwable why) {
        for (MonoSink<Void> d; (d = unfinished.poll()) != null; ) {
            d.error(why);
        }
    }

    /** The wire form of a send; its end tells the send's Mono, and a failure closes the WebSocket with 1011. */
    private Flux<ByteBuffer[]> frames(Publisher<WebSocketMessage> messages, MonoSink<Void> sink) {
        // one message at a time: the merge takes one frame at a time from the send (a prefetching
        // operator would hold a 256-slot queue per send)
        return Flux.from(messages).map(this::encode)
                .doOnComplete(sink::success)
                .doOnCancel(() -> sink.error(new IllegalStateException(
                        "the WebSocket closed before this send ended")))
                .onErrorResume(e -> {
                    sink.error(e);
                    onSendFailure.run();
                    return Mono.empty();
                });
    }

    /** A message's frame, compressed if permessage-deflate was agreed and it is text or binary. */
    private ByteBuffer[] encode(WebSocketMessage m) {
        int opcode = opcode(m.type());
        if (deflate != null && opcode < WebSocketFrames.CLOSE) {
            return encode(opcode | PerMessageDeflate.RSV1, deflate.compress(m.payload()));
        }
        return encode(opcode, m.payload());
    }

    /** One frame: unmasked from the server, masked with a fresh key from the client. */
    private ByteBuffer[] encode(int opcode, ByteBuffer payload) {
        return mask ? new ByteBuffer[] {WebSocketFrames.encodeMasked(opcode, payload, nextMask())}
                : WebSocketFrames.encode(opcode, payload);
    }

    /** A send's thread and the loop both frame: the generator is shared under this lock, briefly. */
    private synchronized int nextMask() {
        return masks.nextInt();
    }

    private static final SecureRandom SEEDS = new SecureRandom();

    private static int opcode(WebSocketMessage.Type t) {
        return switch (t) {
            case TEXT -> WebSocketFrames.TEXT;
            case BINARY -> WebSocketFrames.BINARY;
            case PING -> WebSocketFrames.PING;
            case PONG -> WebSocketFrames.PONG;
        };
    }
}
