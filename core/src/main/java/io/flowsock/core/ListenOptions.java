package io.flowsock.core;

import io.flowsock.core.internal.Checks;
import java.util.Objects;

/**
 * Settings of a listening socket.
 *
 * @param backlog    IOCPSOCK's accept pool: accepts kept posted plus the kernel listen queue the
 *                   server asks for: how many connections may arrive at once, before any is
 *                   accepted, without one waiting for a retransmission. A server with one listener
 *                   per port asks this of the kernel for each listener, since the kernel's spread
 *                   of connections over them is uneven. The kernel may clamp the queue (Linux:
 *                   net.core.somaxconn).
 * @param child      settings copied to every accepted connection
 * @param reusePort  share the port with other sockets that also ask for it. flowsock itself binds one
 *                   listener per completion port with SO_REUSEPORT where the platform has it, and
 *                   refuses a port that is already bound unless this is set.
 */
public record ListenOptions(int backlog, ChannelOptions child, boolean reusePort) {
    /** backlog 1024, default child options. */
    public static final ListenOptions DEFAULTS = new ListenOptions(1024, ChannelOptions.DEFAULTS, false);

    public ListenOptions {
        Checks.positive("backlog", backlog);
        Objects.requireNonNull(child, "child");
    }

    public ListenOptions withBacklog(int backlog) {
        return new ListenOptions(backlog, child, reusePort);
    }

    public ListenOptions withChild(ChannelOptions child) {
        return new ListenOptions(backlog, child, reusePort);
    }

    public ListenOptions withReusePort(boolean reusePort) {
        return new ListenOptions(backlog, child, reusePort);
    }
}
