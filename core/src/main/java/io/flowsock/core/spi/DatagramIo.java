package io.flowsock.core.spi;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;

/**
 * A backend's datagram (UDP) socket, as the core drives it. At most one receive and one send are
 * posted at a time; each post gets exactly one completion, on the socket's port thread, possibly
 * before the posting call returns. Every method is called on that port thread.
 */
public interface DatagramIo {
    /**
     * Posts a receive of up to {@code count} datagrams ({@code count >= 1}), each into a port buffer
     * of {@link #receiveBufferSize()} bytes. It completes once at least one datagram has arrived, with
     * every datagram already queued, up to {@code count}.
     */
    void receive(int count, DatagramReceive completion);

    /**
     * Posts a send of {@code datagrams[offset, offset + length)}, one datagram each, the {@code i}-th
     * to {@code targets[i]} ({@code null} there: the connected peer). The buffers stay the core's;
     * the backend reads them until the completion and leaves their positions where they were.
     */
    void send(ByteBuffer[] datagrams, InetSocketAddress[] targets, int offset, int length,
              DatagramSendCompletion completion);

    /**
     * Joins multicast {@code group} on {@code networkInterface}, any-source when {@code source} is
     * {@code null}, else source-specific.
     */
    void join(InetAddress group, NetworkInterface networkInterface, InetAddress source) throws IOException;

    /** Leaves what {@link #join} joined with the same arguments. */
    void leave(InetAddress group, NetworkInterface networkInterface, InetAddress source) throws IOException;

    /**
     * Datagrams the kernel dropped since this socket opened because its receive buffer was full, or
     * {@code -1} when the backend cannot tell.
     */
    long kernelDrops();

    /**
     * {@link #kernelDrops} as far as this socket knows it without a system call (the counter the last
     * datagram carried, say): called after every receive, so it must be cheap. Never more than
     * {@code kernelDrops()}; the endpoint asks {@code kernelDrops()} itself when its drops are queried.
     */
    default long reportedDrops() {
        return kernelDrops();
    }

    /** Capacity of each receive buffer: a longer datagram arrives truncated (and is reported so). */
    int receiveBufferSize();

    /**
     * Closes the socket. Called once. {@code released} runs once on the port thread when no posted
     * operation can still read or write memory it was given (see {@link SocketIo#close}).
     */
    void close(Runnable released);

    InetSocketAddress localAddress();

    /** The connected peer, or {@code null} for an unconnected socket. */
    InetSocketAddress remoteAddress();
}
