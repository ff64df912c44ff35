package io.flowsock.core.internal;

import io.flowsock.core.BindException;
import io.flowsock.core.ListenOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A server's listening sockets, one per port with SO_REUSEPORT where the platform has it, so that
 * the kernel spreads connections over the ports; where it has not, one socket on the first port
 * takes every connection. A port that is already bound is refused, naming the address, unless
 * {@link ListenOptions#reusePort()} asks to share it: SO_REUSEPORT alone would share it silently.
 *
 * <p>Every socket asks the kernel for the whole backlog. The kernel hashes each connection to one
 * listener and never moves it, unevenly: with the backlog split between them, a storm overflows
 * one listener's share while the server holds far fewer than backlog, and connections that
 * overflow wait for a retransmission or, once SYN cookies answer, are lost.
 *
 * <p>Runs on the thread that calls {@code listen}; nothing here touches a port's thread.
 */
public final class ReusePortBinder {
    private ReusePortBinder() {
    }

    /** A backend's listening sockets. */
    public interface Sockets<P, H> {
        /** Binds a throwaway socket to {@code address} and closes it: fails if the port is taken. */
        void probe(InetSocketAddress address) throws IOException;

        /** A new, unbound socket for {@code port}, of {@code address}'s family. */
        H open(P port, InetSocketAddress address) throws IOException;

        /**
         * Sets SO_REUSEADDR, and SO_REUSEPORT when {@code reusePort}, binds {@code socket} to
         * {@code address} and listens with {@code backlog}; returns the address it is bound to.
         */
        InetSocketAddress bind(H socket, InetSocketAddress address, boolean reusePort, int backlog) throws IOException;

        /** Closes a socket that {@link #open} returned; quietly. */
        void close(H socket);

        /** The cause a bind failure is reported with: a backend's own failure type mapped to an IOException. */
        default Throwable cause(Throwable failure) {
            return failure;
        }
    }

    /** The sockets bound, each with its port, and the address they share (the real port when 0 was asked). */
    public record Bound<P, H>(InetSocketAddress address, List<Listening<P, H>> sockets) {
        public Bound {
            sockets = List.copyOf(sockets);
        }
    }

    /** One port's listening socket. */
    public record Listening<P, H>(P port, H socket) {
    }

    /**
     * Binds {@code requested} on every port of {@code ports} when there is more than one and
     * {@code reusePortAvailable}, else on the first alone.
     *
     * @throws BindException naming {@code requested} when any socket cannot be bound; none stays open
     */
    public static <P, H> Bound<P, H> bind(List<P> ports, boolean reusePortAvailable, InetSocketAddress requested,
                                          ListenOptions options, Sockets<P, H> sockets) {
        boolean spread = ports.size() > 1 && reusePortAvailable;
        List<Listening<P, H>> bound = new ArrayList<>();
        try {
            if (spread && !options.reusePort() && requested.getPort() != 0) {
                sockets.probe(requested);
            }
            InetSocketAddress bindTo = requested;
            for (P port : spread ? ports : ports.subList(0, 1)) {
                H socket = sockets.open(port, requested);
                bound.add(new Listening<>(port, socket));
                bindTo = sockets.bind(socket, bindTo, spread || options.reusePort(), options.backlog());
            }
            return new Bound<>(bindTo, bound);
        } catch (IOException | RuntimeException e) {
            for (Listening<P, H> l : bound) {
                sockets.close(l.socket());
            }
            throw new BindException(requested, sockets.cause(e));
        }
    }
}
