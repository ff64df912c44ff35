package io.flowsock.reactive;

import io.flowsock.core.Datagram;
import io.flowsock.core.Transport;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * The multicast checks, run by {@link MulticastContract} in a child JVM inside a network namespace
 * of its own whose loopback has the MULTICAST flag and a multicast route, and which has a veth pair
 * for IPv6 (the host's loopback has neither, and changing it would change the host). Arguments: the contract's concrete class, whose
 * {@code newTransport()} gives the backend, and the case: {@code v4-asm}, {@code v4-ssm},
 * {@code v6-asm} or {@code v6-ssm}. Prints {@code RESULT ok} and exits 0, or prints the failure
 * and exits 1.
 *
 * <p>That a datagram did not arrive is shown without a clock: after it, a unicast marker is sent
 * to the same socket over the same loopback, and the next datagram received must be the marker.
 */
public final class MulticastProgram {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private MulticastProgram() {
    }

    public static void main(String[] args) throws Exception {
        try (Transport transport = transport(args[0])) {
            run(transport, args[1]);
            System.out.println("RESULT ok " + args[1] + " on " + transport.name());
            System.exit(0);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.out.println("RESULT failed " + args[1] + ": " + t);
            System.exit(1);
        }
    }

    private static Transport transport(String contract) throws ReflectiveOperationException {
        Class<?> c = Class.forName(contract);
        var ctor = c.getDeclaredConstructor();
        ctor.setAccessible(true);
        Object instance = ctor.newInstance();
        Method m = MulticastContract.class.getDeclaredMethod("newTransport");
        m.setAccessible(true);
        return (Transport) m.invoke(instance);
    }

    private static void run(Transport transport, String mode) throws Exception {
        boolean v6 = mode.startsWith("v6");
        boolean ssm = mode.endsWith("ssm");
        // Linux loops IPv4 multicast back on lo, but not IPv6: that goes over a veth end with addresses of its own
        NetworkInterface lo = NetworkInterface.getByName(v6 ? "mc0" : "lo");
        InetAddress group = InetAddress.getByName(v6 ? (ssm ? "ff32::8000:1234" : "ff12::1234")
                : (ssm ? "232.1.2.3" : "239.1.2.3"));
        String wildcard = v6 ? "::" : "0.0.0.0";
        String loop1 = v6 ? "fd00::1" : "127.0.0.1";
        String loop2 = v6 ? "fd00::2" : "127.0.0.2";

        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        UdpEndpoint receiver = UdpServer.create().host(wildcard).port(0).transport(transport)
                .option(StandardSocketOptions.SO_REUSEADDR, true)
                .handle(udp -> udp.inbound().doOnNext(d -> got.add(text(d))).then()).bindNow(WAIT);
        int port = receiver.localAddress().getPort();
        InetSocketAddress groupAddress = new InetSocketAddress(group, port);
        InetSocketAddress direct = new InetSocketAddress(loop1, port);
        UdpEndpoint sender = sender(transport, loop1, lo);
        try {
            InetAddress source = InetAddress.getByName(loop1);
            Mono<Void> join = ssm ? receiver.join(group, lo, source) : receiver.join(group, lo);
            join.block(WAIT);
            // the same join again is no error and no second membership: one datagram still arrives once
            (ssm ? receiver.join(group, lo, source) : receiver.join(group, lo)).block(WAIT);
            send(sender, "joined", groupAddress);
            expect(got, "joined");
            send(sender, "marker 0", direct);
            expect(got, "marker 0");
            // the other kind of membership on the same group and interface is refused, by name
            Mono<Void> mixed = ssm ? receiver.join(group, lo) : receiver.join(group, lo, InetAddress.getByName(loop1));
            expectRefused(mixed, ssm ? "source-specific already" : "for any source already");
            if (ssm) {
                // another source on the same interface: not the one joined, so filtered out
                UdpEndpoint other = sender(transport, loop2, lo);
                send(other, "other source", groupAddress);
                send(sender, "marker 1", direct);
                expect(got, "marker 1");
                other.disposeNow(WAIT);
            }
            Mono<Void> leave = ssm ? receiver.leave(group, lo, source) : receiver.leave(group, lo);
            leave.block(WAIT);
            // leaving what is no longer joined names it, the same on every backend
            expectRefused(ssm ? receiver.leave(group, lo, source) : receiver.leave(group, lo), "not a member");
            send(sender, "after leave", groupAddress);
            send(sender, "marker 2", direct);
            expect(got, "marker 2");
        } finally {
            sender.disposeNow(WAIT);
            receiver.disposeNow(WAIT);
        }
    }

    private static UdpEndpoint sender(Transport transport, String host, NetworkInterface lo) {
        return UdpServer.create().host(host).port(0).transport(transport)
                .option(StandardSocketOptions.IP_MULTICAST_IF, lo)
                .option(StandardSocketOptions.IP_MULTICAST_TTL, 1)
                .option(StandardSocketOptions.IP_MULTICAST_LOOP, true).bindNow(WAIT);
    }

    private static void send(UdpEndpoint from, String text, InetSocketAddress to) {
        from.send(Mono.just(new Datagram(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), to))).block(WAIT);
    }

    private static void expect(BlockingQueue<String> got, String want) throws InterruptedException {
        String next = got.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (!want.equals(next)) {
            throw new AssertionError("expected \"" + want + "\" next, got " + (next == null ? "nothing" : "\"" + next + "\""));
        }
    }

    private static void expectRefused(Mono<Void> call, String why) {
        try {
            call.block(WAIT);
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains(why)) {
                throw new AssertionError("refused, but not because \"" + why + "\": " + e.getMessage(), e);
            }
            return;
        }
        throw new AssertionError("expected a refusal (" + why + "), but it completed");
    }

    private static String text(Datagram d) {
        return StandardCharsets.UTF_8.decode(d.data()).toString();
    }
}
