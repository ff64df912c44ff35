package io.flowsock.core.internal;

import io.flowsock.core.Cancellable;
import io.flowsock.core.Channel;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.ConnectException;
import io.flowsock.core.ConnectRefusedException;
import io.flowsock.core.ConnectTimeoutException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One outgoing connect, the same on every backend: opens the backend's socket on the port, arms
 * the timeout, closes the socket when the caller cancels the future, and turns the outcome into
 * the future's result. A connect that completes after the future ended (timed out, cancelled) is
 * adopted and disposed at once, so its socket and buffers return and the caller sees only the
 * first outcome.
 *
 * <p>Runs only on its port's thread, but for {@link #start}.
 *
 * @param <P> the backend's port
 * @param <S> the backend's socket
 */
public final class ConnectAttempt<P extends CompletionPort, S> {
    private static final Cancellable NO_TIMEOUT = () -> { };

    /** A backend's part of a connect. Every method runs on the port's thread. */
    public interface Dialer<P extends CompletionPort, S> {
        /** A new socket for {@code remote}'s family, {@code options} applied; closes it itself if that fails. */
        S open(P port, InetSocketAddress remote, ChannelOptions options) throws IOException;

        /**
         * Starts connecting; the outcome goes to {@link #connected()} or {@link #failed} on the
         * port's thread, unless the socket is closed first.
         */
        void connect(S socket, InetSocketAddress remote, ConnectAttempt<P, S> attempt);

        /** The connected socket as a channel, adopted by its port. */
        Channel channel(P port, S socket, ChannelOptions options) throws IOException;

        /** Closes the socket; idempotent. */
        void close(S socket);
    }

    private final P port;
    private final Dialer<P, S> dialer;
    private final InetSocketAddress remote;
    private final ChannelOptions options;
    private final Duration timeout;
    private final CompletableFuture<Channel> result = new CompletableFuture<>();
    private S socket;
    private Cancellable timeoutTask = NO_TIMEOUT;

    private ConnectAttempt(P port, Dialer<P, S> dialer, InetSocketAddress remote, ChannelOptions options,
                           Duration timeout) {
        this.port = port;
        this.dialer = dialer;
        this.remote = remote;
        this.options = options;
        this.timeout = timeout;
    }

    /**
     * Connects to {@code remote} on {@code port}, giving up after {@code timeout} (zero: never).
     * The future completes on the port's thread. Any thread; the arguments are checked already.
     */
    public static <P extends CompletionPort, S> CompletableFuture<Channel> start(
            P port, Dialer<P, S> dialer, InetSocketAddress remote, ChannelOptions options, Duration timeout) {
        ConnectAttempt<P, S> attempt = new ConnectAttempt<>(port, dialer, remote, options, timeout);
        port.execute(attempt::begin);
        return attempt.result;
    }

    private void begin() {
        if (result.isDone()) {
            return;                                   // cancelled before it started
        }
        try {
            socket = dialer.open(port, remote, options);
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e instanceof IllegalArgumentException ? e : new ConnectException(remote, e));
            return;
        }
        if (!timeout.isZero()) {
            timeoutTask = port.schedule(this::timedOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        result.whenComplete((c, e) -> {
            if (result.isCancelled()) {
                // on the port, like every socket: from the canceller's thread it would race the port's use of it
                PortChannels.onPort(port, () -> dialer.close(socket));
            }
        });
        if (result.isDone()) {
            timeoutTask.cancel();                     // cancelled meanwhile: the socket is closed already
            return;
        }
        try {
            dialer.connect(socket, remote, this);
        } catch (RuntimeException e) {                // e.g. an address family this socket cannot reach
            timeoutTask.cancel();
            dialer.close(socket);
            result.completeExceptionally(new ConnectException(remote, e));
        }
    }

    private void timedOut() {
        if (result.completeExceptionally(new ConnectTimeoutException(remote, timeout))) {
            dialer.close(socket);
        }
    }

    /** The socket is connected: hands it over as a channel, or disposes of it if the future ended meanwhile. */
    public void connected() {
        timeoutTask.cancel();
        Channel channel;
        try {
            channel = dialer.channel(port, socket, options);
        } catch (IOException | RuntimeException e) {
            dialer.close(socket);
            result.completeExceptionally(new ConnectException(remote, e));
            return;
        }
        if (!result.complete(channel)) {
            channel.dispose();                        // timed out or cancelled meanwhile
        }
    }

    /** The connect failed; {@code refused} when nothing listens at the remote address. */
    public void failed(Throwable cause, boolean refused) {
        timeoutTask.cancel();
        dialer.close(socket);
        result.completeExceptionally(refused ? new ConnectRefusedException(remote, cause)
                : new ConnectException(remote, cause));
    }
}
