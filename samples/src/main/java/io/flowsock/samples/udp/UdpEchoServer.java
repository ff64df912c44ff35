package io.flowsock.samples.udp;

import io.flowsock.reactive.UdpEndpoint;
import io.flowsock.reactive.UdpServer;
import java.time.Duration;

/**
 * A UDP echo server: every datagram goes back to its sender, unchanged.
 *
 * <p>What it shows: {@code udp.send(udp.inbound())} is the whole server, since a received
 * {@code Datagram} carries its sender's address and a datagram to send carries its recipient's.
 * Backpressure works as with TCP, but what gives way is the kernel, not the sender: while the
 * echo's sends are {@code sendCap} behind, inbound posts no receive, the socket's receive buffer
 * fills and the kernel drops what does not fit, which {@link UdpEndpoint#drops()} counts (printed
 * here every ten seconds when it changed). {@code recvBurst(32)} lets one receive take up to 32
 * datagrams when they come in bursts.
 *
 * <pre>
 * java io.flowsock.samples.udp.UdpEchoServer [port]     (default 7008; 0 picks a free one)
 * echo hello | socat -t 1 - UDP4:127.0.0.1:7008
 * </pre>
 */
public final class UdpEchoServer {
    /** The port main binds when none is given. */
    public static final int DEFAULT_PORT = 7008;

    private UdpEchoServer() {
    }

    /**
     * Binds an echo socket on {@code host}:{@code port} (port 0 picks a free one), waiting up to
     * 10 seconds. The caller owns the returned socket and disposes it.
     */
    public static UdpEndpoint start(String host, int port) {
        return UdpServer.create()
                .host(host)
                .port(port)
                .recvBurst(32)
                .sendCap(32)
                .handle(udp -> udp.send(udp.inbound()))
                .bindNow(Duration.ofSeconds(10));
    }

    /** Runs until the process is killed. */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
        UdpEndpoint server = start("::", port);
        System.out.println("UDP echo on " + server.localAddress() + "; stop it with Ctrl-C");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.disposeNow(Duration.ofSeconds(2)),
                "udp-echo-shutdown"));
        long reported = 0;
        while (!server.isDisposed()) {
            Thread.sleep(10_000);
            long drops = server.drops();
            if (drops > reported) {
                System.out.println("the kernel dropped " + drops + " datagrams so far (receive buffer full)");
                reported = drops;
            }
        }
    }
}
