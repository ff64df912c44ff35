package io.flowsock.core;

import io.flowsock.core.nio2.Nio2Transport;
import io.flowsock.core.selector.SelectorTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * A backend: a set of {@link CompletionPort}s, one per event-loop thread, that post accepts, reads
 * and writes and run their completions. Connections are spread over the ports and pinned to one.
 *
 * <pre>{@code
 * Transport transport = Transport.nio2(2);
 * Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), ListenOptions.DEFAULTS,
 *         channel -> {                                   // echo, without Reactor
 *             Send echo = channel.send(new SendSource() {           // onStart(send) gives the handle early
 *                 public void request(long n) { channel.request(n); }  // send credit = read demand
 *                 public void cancel() { }
 *                 public void onSent() { channel.close(); }
 *                 public void onFailed(Throwable error) { }
 *             });
 *             channel.start(new ChannelHandler() {
 *                 public void onData(ByteBuffer data) { echo.offer(data); }
 *                 public void onEnd() { echo.complete(); }
 *                 public void onError(Throwable error) { echo.fail(error); }
 *             });
 *         });
 * }</pre>
 *
 * <p><b>Threading.</b> All methods are safe from any thread.
 *
 * <p><b>Lifecycle.</b> A transport owns its port threads until {@link #close()}. The
 * {@link #shared()} transport lives as long as the JVM and uses daemon threads.
 */
public interface Transport extends AutoCloseable {
    /** The backend's name: "nio2", "selector" or "uring". */
    String name();

    Capabilities capabilities();

    /** The completion ports, one per event-loop thread. */
    List<? extends CompletionPort> ports();

    /** The timer the ports use for watchdogs and timeouts. */
    Timer timer();

    /**
     * Binds {@code address}, which must be resolved, and starts accepting. Where the platform has
     * SO_REUSEPORT, each port gets a listening socket of its own, each asking the kernel for the
     * whole backlog. {@code onAccept} runs on the new connection's port thread.
     *
     * @throws BindException if the address cannot be bound (in use, unless every listener on it
     *                       asks {@link ListenOptions#reusePort()}; not local; no permission)
     */
    Listener listen(InetSocketAddress address, ListenOptions options, Consumer<Channel> onAccept);

    /**
     * Connects to {@code remote}, which must be resolved, giving up after {@code timeout} (zero:
     * never; negative is refused). Connects take the ports in turn. The future completes on the new
     * connection's port thread, or fails with {@link ConnectRefusedException},
     * {@link ConnectTimeoutException} or {@link ConnectException}. Cancelling the future closes a
     * connection that completes afterwards.
     */
    CompletableFuture<Channel> connect(InetSocketAddress remote, ChannelOptions options, Duration timeout);

    /**
     * Opens a UDP socket bound to {@code local} (resolved; port 0 picks a free one) that sends to
     * any address and receives from any. Sockets take the ports in turn. The future completes on
     * the endpoint's port thread, or fails with {@link BindException} naming the address, or with
     * {@link IllegalArgumentException} naming a socket option the backend's datagram sockets refuse.
     *
     * @throws UnsupportedOperationException when this backend has no datagram sockets
     */
    CompletableFuture<DatagramEndpoint> openDatagram(InetSocketAddress local, DatagramOptions options);

    /**
     * As {@link #openDatagram}, then connected to {@code remote} (resolved): it sends only there,
     * receives only from there, and an ICMP port unreachable from there fails the input or a send
     * with {@link PeerUnreachableException}.
     */
    CompletableFuture<DatagramEndpoint> connectDatagram(InetSocketAddress local, InetSocketAddress remote,
                                                        DatagramOptions options);

    /** Closes every listener, connection and datagram endpoint of this transport and stops its threads. */
    @Override
    void close();

    /** The NIO.2 backend with one port per available processor and daemon threads. */
    static Transport nio2() {
        return nio2(Runtime.getRuntime().availableProcessors());
    }

    /** The NIO.2 backend with {@code ports} ports and daemon threads. */
    static Transport nio2(int ports) {
        return new Nio2Transport(ports, null, Timer.system());
    }

    /** The NIO.2 backend with injected thread factory and timer, for tests and containers. */
    static Transport nio2(int ports, ThreadFactory threads, Timer timer) {
        java.util.Objects.requireNonNull(threads, "threads");
        return new Nio2Transport(ports, threads, timer);
    }

    /**
     * The selector backend (flowsock's own completion port on the JDK's {@code Selector}) with
     * {@code ports} ports and daemon threads.
     */
    static Transport selector(int ports) {
        return new SelectorTransport(ports, null, Timer.system());
    }

    /** The selector backend with injected thread factory and timer, for tests and containers. */
    static Transport selector(int ports, ThreadFactory threads, Timer timer) {
        java.util.Objects.requireNonNull(threads, "threads");
        return new SelectorTransport(ports, threads, timer);
    }

    /**
     * The backend the system property {@code flowsock.transport} names ({@code auto} when unset), with
     * one port per available processor and daemon threads. See {@link #of(String, int, ThreadFactory, Timer)}.
     */
    static Transport auto() {
        try {
            return of(System.getProperty(Backends.PROPERTY, Backends.AUTO));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property " + Backends.PROPERTY + ": " + e.getMessage(), e);
        }
    }

    /** The backend named {@code backend}, with one port per available processor and daemon threads. */
    static Transport of(String backend) {
        return of(backend, Runtime.getRuntime().availableProcessors());
    }

    /** The backend named {@code backend}, with {@code ports} ports and daemon threads. */
    static Transport of(String backend, int ports) {
        return Backends.create(backend, ports, null, Timer.system());
    }

    /**
     * The backend named {@code backend}: {@code "nio2"}, {@code "selector"}, {@code "uring"} (needs
     * flowsock-transport-uring, Linux and JDK 22+) or {@code "auto"}, which takes io_uring when a
     * live probe succeeds, else selector on Linux and nio2 elsewhere, logging the choice and the
     * reason for falling back once per JVM at INFO.
     *
     * @throws IllegalArgumentException naming the value when no backend has that name
     * @throws UnsupportedOperationException naming the reason when the named backend cannot run here
     */
    static Transport of(String backend, int ports, ThreadFactory threads, Timer timer) {
        java.util.Objects.requireNonNull(threads, "threads");
        return Backends.create(backend, ports, threads, timer);
    }

    /** The JVM-wide default transport ({@link #auto()}), created on first use; never closed. */
    static Transport shared() {
        return SharedTransport.INSTANCE;
    }
}
