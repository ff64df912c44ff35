package io.flowsock.reactive;

import io.flowsock.core.Tunable;
import java.net.InetSocketAddress;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import java.nio.ByteBuffer;
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
 * no reference count. A buffer given to send belongs to the connection until the returned Mono
 * ends; it is written from its position to its limit.
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
