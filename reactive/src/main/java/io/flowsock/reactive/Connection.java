package io.flowsock.reactive;

import io.flowsock.core.Tunable;
import java.net.InetSocketAddress;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import java.nio.ByteBuffer;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One TCP connection, a byte stream in each direction.
 *
 * <pre>{@code
 * Connection conn = TcpClient.create().host("::1").port(port).connectNow();
 * Mono<String> reply = conn.send(Mono.just(utf8("hello")))
 *         .then(conn.shutdownOutput())                       // FIN; inbound keeps working
 *         .thenMany(Strings.decodeUtf8(conn.inbound()))
 *         .reduce("", String::concat);
 * }</pre>
 *
 * <p><b>Threading.</b> Inbound signals arrive one at a time on this connection's completion
 * port thread; request and cancel may come from any thread. Never block in a signal. Every
 * method here may be called from any thread.
 *
 * <p><b>Buffers.</b> A buffer passed to onNext belongs to the subscriber for good: no release,
 * no reference count. In the opt-in loaned mode, {@link #inbound(Function)}, a reader is lent
 * each received buffer for one call instead, and no copy is made. A buffer given to send belongs
 * to the connection until the returned Mono ends; it is written from its position to its limit.
 *
 * <p><b>Lifecycle.</b> Open until {@link #close()}, {@link #dispose()}, the peer's close or an
 * I/O error; {@link #onClose()} completes in every case. See the table in docs/design.md for what each
 * event does to inbound and to a pending send.
 */
public interface Connection extends Disposable {
    /**
     * What the peer sends. One subscriber per connection; a second gets an
     * {@link IllegalStateException}. Reads are posted only against demand: a subscriber that stops
     * requesting stops reading and the peer is slowed by TCP. Completes after the last byte when
     * the peer shuts down its output; errors with a typed exception on a reset or I/O error.
     * Cancelling means no more input: reading stops, and the connection stays open for output
     * until the handler's Publisher ends. A cancel after inbound's terminal signal does nothing.
     */
    Flux<ByteBuffer> inbound();

    /**
     * What the peer sends, read in place: the opt-in loaned mode. {@code reader} is applied to
     * each received buffer while the connection lends it, and what it returns is emitted, one
     * value per buffer. Where the backend lends (nio2 always; io_uring while more than a quarter
     * of each of its rings is free), the buffer is a read-only view of the port's own receive
     * memory and no copy is made; otherwise it is a copy, under the same rules. This is Reactor
     * Netty's contract for {@code receive().map(...)}, with nothing to retain or release.
     *
     * <pre>{@code
     * Mono<Long> received = conn.inbound(ByteBuffer::remaining).reduce(0L, Long::sum);
     * Flux<String> text = conn.inbound(b -> StandardCharsets.US_ASCII.decode(b).toString());
     * }</pre>
     *
     * <p><b>The buffer is valid only during the call.</b> When the reader returns, the memory
     * goes back to the port, and the next read, of this connection or of another one on the
     * same port, lands in it. Keeping the buffer, or a slice, duplicate or view of it, past the
     * call is a bug, and a silent one: what the kept buffer shows changes under its keeper, to
     * later bytes or to another connection's, with no error. Take what you need within the call
     * (copy bytes out, decode, parse). A reader that returns the very buffer it was lent fails
     * the flux with an {@link IllegalStateException}.
     *
     * <p>Otherwise this is {@link #inbound()}: reads posted only against demand (one value per
     * buffer, so a request of n reads at most n buffers), the same completion, errors and
     * cancellation, and the same single subscriber: this and {@code inbound()} share it, so a
     * second subscription of either gets an {@link IllegalStateException}.
     *
     * <p><b>When the reader fails.</b> If it throws, the flux errors with that exception, as
     * {@code map} would; if it returns null, with a {@link NullPointerException} that says so.
     * Either way the inbound is cancelled first: reading stops, the lent buffer goes back to the
     * port, and the connection stays open for output until the handler ends, as after any
     * cancel (a server handler that ends with the error closes the connection abortively).
     *
     * <p><b>Hooks.</b> The buffer reaches the reader and nothing else. No {@code doOnDiscard},
     * {@code onNextDropped} or {@code onOperatorError} hook is ever given it (an
     * {@code onOperatorError} hook sees the reader's error, without the buffer), and
     * {@code onErrorContinue} does not apply to the reader: its failure always ends the flux,
     * since resuming would hand the buffer to the error consumer. After a cancel the reader is
     * not called again; what a read already posted brings is dropped by the engine, so there is
     * nothing to discard. The reader's values are ordinary values: operators downstream discard
     * or drop them through the hooks as usual.
     *
     * @param reader called on the connection's port thread, once per received buffer, never
     *               concurrently; it must not block
     */
    <T> Flux<T> inbound(Function<? super ByteBuffer, ? extends T> reader);

    /**
     * Writes every buffer of {@code data} in order, requesting at most {@code sendCap} buffers
     * ahead of write completions. Completes when every byte is handed to the kernel. Sends run one
     * after another in the order they are subscribed. Lazy: nothing happens until subscribed.
     */
    Mono<Void> send(Publisher<? extends ByteBuffer> data);

    /** Encodes each string as UTF-8 and sends it. */
    default Mono<Void> sendString(Publisher<? extends CharSequence> data) {
        return send(Strings.encodeUtf8(java.util.Objects.requireNonNull(data, "data")));
    }

    /** Sends FIN once every send subscribed before it is written; inbound keeps working. Lazy. */
    Mono<Void> shutdownOutput();

    /**
     * Graceful close: finishes the sends already started, sends FIN, reads until the peer's FIN
     * or the close timeout, then closes. Completes when closed. Lazy.
     *
     * <p>What is read meanwhile goes to the inbound subscriber as its demand allows (or is dropped
     * when inbound has no subscriber). A subscriber that holds no demand therefore holds the close
     * until the close timeout: don't await {@code close()} inside an operator that stops
     * requesting while it waits, such as {@code concatMap} over this connection's own inbound.
     */
    Mono<Void> close();

    /** Closes at once. Inbound completes; pending sends fail with {@code ConnectionClosedException}. */
    @Override
    void dispose();

    @Override
    boolean isDisposed();

    /** Completes when the connection is closed, whatever closed it. Never errors. */
    Mono<Void> onClose();

    InetSocketAddress localAddress();

    /**
     * The TLS session of a secured connection: protocol ({@code getProtocol()}), cipher suite,
     * peer certificates; empty for plaintext.
     */
    Optional<SSLSession> tlsSession();

    /** The application protocol agreed through TLS ALPN; empty when none was, or for plaintext. */
    Optional<String> applicationProtocol();

    InetSocketAddress remoteAddress();

    /** (cap, buffers requested from the outbound Publisher and not yet fully written). */
    Tunable sendCap();

    /** Changes sendCap live: higher requests the difference at once; lower waits for writes. */
    void sendCap(int cap);

    /** (cap, buffers the next read will post: ABD's choice within the cap and the demand). */
    Tunable recvBurst();

    /** Changes recvBurst from the next read; 1 turns Automatic Burst Detection off. */
    void recvBurst(int cap);
}
