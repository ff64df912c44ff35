package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.Protocol;
import io.flowsock.core.Transport;
import io.flowsock.reactive.UdpEndpoint;
import io.flowsock.reactive.UdpServer;
import io.netty.channel.socket.DatagramPacket;
import java.time.Duration;
import reactor.netty.Connection;
import reactor.netty.resources.LoopResources;

/**
 * The UDP echo contenders, one socket each: flowsock's {@link UdpServer} on the shared transport
 * with its default tunables, {@code handle(udp -> udp.send(udp.inbound()))}; and Reactor Netty's
 * {@code reactor.netty.udp.UdpServer} on a native transport or Java NIO, echoing each
 * {@link DatagramPacket} to its sender with the received content retained. Both bind
 * {@link Protocol#HOST} with the kernel's default socket buffers.
 */
final class UdpEchoServers {
    private UdpEchoServers() {
    }

    static BenchServer start(String contender, int port) {
        return switch (contender) {
            case "flowsock", "flowsock-uring", "flowsock-taps-off" -> flowsock(port);
            case "reactor-netty-epoll" -> reactorNetty(port, ReactorNettyServer.Native.EPOLL);
            case "reactor-netty-uring" -> reactorNetty(port, ReactorNettyServer.Native.IO_URING);
            case "reactor-netty-nio" -> reactorNetty(port, ReactorNettyServer.Native.NONE);
            default -> throw new IllegalArgumentException(contender + " has no UDP server");
        };
    }

    private static BenchServer flowsock(int port) {
        UdpEndpoint udp = UdpServer.create().host(Protocol.HOST).port(port)
                .handle(u -> u.send(u.inbound())).bindNow(Duration.ofSeconds(10));
        return new BenchServer() {
            @Override
            public String describe() {
                Transport t = Transport.shared();
                return "flowsock transport=" + t.name() + " udp address=" + udp.localAddress();
            }

            @Override
            public int connections() {
                return udp.isDisposed() ? 0 : 1;
            }

            @Override
            public void close() {
                udp.disposeNow(Duration.ofSeconds(5));
            }
        };
    }

    private static BenchServer reactorNetty(int port, ReactorNettyServer.Native transport) {
        ReactorNettyServer.requireAvailable(transport);
        LoopResources loops = LoopResources.create("rn-udp-bench", LoopResources.DEFAULT_IO_WORKER_COUNT, true);
        Connection conn = reactor.netty.udp.UdpServer.create()
                .host(Protocol.HOST)
                .port(port)
                .runOn(loops, transport != ReactorNettyServer.Native.NONE)
                .handle((in, out) -> out.sendObject(in.receiveObject().map(o -> {
                    DatagramPacket p = (DatagramPacket) o;
                    return new DatagramPacket(p.content().retain(), p.sender());   // released with p once onNext returns
                })))
                .bindNow(Duration.ofSeconds(10));
        return new BenchServer() {
            @Override
            public String describe() {
                return "reactor-netty channel=" + conn.channel().getClass().getSimpleName() + " udp address="
                        + conn.channel().localAddress();
            }

            @Override
            public int connections() {
                return conn.isDisposed() ? 0 : 1;
            }

            @Override
            public void close() {
                conn.disposeNow(Duration.ofSeconds(5));
                loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
            }
        };
    }
}
