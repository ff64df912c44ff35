package io.flowsock.uring;

import static io.flowsock.uring.OnPort.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.Timer;
import io.flowsock.core.spi.DatagramReceive;
import io.flowsock.core.spi.DatagramSendCompletion;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The io_uring datagram socket driven through the core's SPI directly, against JDK
 * {@link DatagramChannel} peers over loopback: bursts, truncation, addresses, targets, connected
 * sockets, the kernel's refusals, drops, multicast and the release of the descriptor.
 */
@ExtendWith(UringAvailable.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UringDatagramIoTest {
    private static final long WAIT_MS = 10_000;
    private static final InetSocketAddress LOOPBACK4 = new InetSocketAddress("127.0.0.1", 0);
    private static final InetSocketAddress LOOPBACK6 = new InetSocketAddress("::1", 0);

    private static UringTransport transport() {
        return new UringTransport(1, null, Timer.system());
    }

    @Test
    void aReceiveTakesEveryQueuedDatagramUpToItsCountInOneCompletionInOrder() throws Exception {
        try (UringTransport t = transport(); DatagramChannel peer = peer(LOOPBACK4)) {
            UringPort port = t.ports().get(0);
            UringDatagram d = open(port, LOOPBACK4, null, Map.of());
            for (int i = 0; i < 5; i++) {
                peer.send(text("d" + i), d.localAddress());
            }
            awaitQueued(d);
            List<Got> first = receive(port, d, 4);
            assertThat(first).extracting(Got::text).containsExactly("d0", "d1", "d2", "d3");
            assertThat(first).extracting(Got::sender).containsOnly(local(peer));
            assertThat(receive(port, d, 4)).extracting(Got::text).containsExactly("d4");
            close(port, d);
        }
    }

    @Test
    void aReceivePostedBeforeDataCompletesWithTheFirstDatagramAndKeepsTheOrderAfter() throws Exception {
        try (UringTransport t = transport(); DatagramChannel peer = peer(LOOPBACK4)) {
            UringPort port = t.ports().get(0);
            UringDatagram d = open(port, LOOPBACK4, null, Map.of());
            Receipt r = post(port, d, 8);
            peer.send(text("first"), d.localAddress());
            assertThat(r.await()).extracting(Got::text).startsWith("first");
            for (int i = 0; i < 20; i++) {
                peer.send(text("n" + i), d.localAddress());
            }
            List<String> got = new ArrayList<>();
            for (Got g : r.await()) {
                got.add(g.text());
            }
            while (got.size() < 21) {
                receive(port, d, 3).forEach(g -> got.add(g.text()));
            }
            List<String> expected = new ArrayList<>(List.of("first"));
            for (int i = 0; i < 20; i++) {
                expected.add("n" + i);
            }
            assertThat(got).containsExactlyElementsOf(expected);
            close(port, d);
        }
    }

    @Test
    void socketsThatTakeMoreThanTheRingHoldsInOneTurnWaitForBuffersAndLoseNothing() throws Exception {
        try (UringTransport t = transport(); DatagramChannel peer = peer(LOOPBACK4)) {
            UringPort port = t.ports().get(0);
            int sockets = 6;
            int each = 100;                                     // 600 queued, 128 buffers: some receives find none
            List<UringDatagram> ds = new ArrayList<>();
            for (int s = 0; s < sockets; s++) {
                UringDatagram d = open(port, LOOPBACK4, null, Map.of(StandardSocketOptions.SO_RCVBUF, 1 << 20));
                ds.add(d);
                for (int i = 0; i < each; i++) {
                    peer.send(text("m" + i), d.localAddress());
                }
                awaitQueued(d);
            }
            List<Drain> drains = new ArrayList<>();
            call(port, () -> {
                for (UringDatagram d : ds) {
                    Drain drain = new Drain(d, each);
                    drains.add(drain);
                    d.receive(64, drain);                      // each receive posts the next inside its completion
                }
                return null;
            });
            for (Drain drain : drains) {
                assertThat(drain.done.get(WAIT_MS, TimeUnit.MILLISECONDS)).hasSize(each)
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, each).mapToObj(i -> "m" + i).toList());
            }
            for (UringDatagram d : ds) {
                assertThat(call(port, d::kernelDrops)).isZero();
                close(port, d);
            }
            BufferRing ring = call(port, port::datagramBuffers);
            assertThat(call(port, ring::inUse)).as("datagram buffers out after close").isZero();
            assertThat(call(port, ring::refusedReturns)).as("buffers given back twice").isZero();
        }
    }

    @Test
    void aDatagramLongerThanTheBufferArrivesTruncatedAndFlaggedSo() throws Exception {
        try (UringTransport t = transport(); DatagramChannel peer = peer(LOOPBACK4)) {
            UringPort port = t.ports().get(0);
            UringDatagram d = call(port, () -> UringDatagram.open(port, LOOPBACK4, null, Map.of(), 1000));
            assertThat(call(port, d::receiveBufferSize)).isEqualTo(1000);
            peer.send(ByteBuffer.wrap(new byte[3000]), d.localAddress());
            peer.send(ByteBuffer.wrap(new byte[1000]), d.localAddress());
            awaitQueued(d);
            List<Got> got = receive(port, d, 2);
            assertThat(got).extracting(Got::length).containsExactly(1000, 1000);
            assertThat(got).extracting(Got::truncated).containsExactly(true, false);
            close(port, d);
        }
    }

    @Test
    void sendersAreReadBackAsIpv4AndIpv6AndAnIpv4PeerOfADualStackSocketAsIpv4() throws Exception {
        try (UringTransport t = transport(); DatagramChannel peer4 = peer(LOOPBACK4); DatagramChannel peer6 = peer(LOOPBACK6)) {
            UringPort port = t.ports().get(0);
            UringDatagram v4 = open(port, LOOPBACK4, null, Map.of());
            UringDatagram v6 = open(port, LOOPBACK6, null, Map.of());
            UringDatagram dual = open(port, new InetSocketAddress("::", 0), null, Map.of());
            peer4.send(text("to v4"), v4.localAddress());
            peer6.send(text("to v6"), v6.localAddress());
            peer4.send(text("to dual"), new InetSocketAddress("127.0.0.1", dual.localAddress().getPort()));
            assertThat(receive(port, v4, 1)).extracting(Got::sender).containsExactly(local(peer4));
            assertThat(receive(port, v6, 1)).extracting(Got::sender).containsExactly(local(peer6));
            List<Got> fromDual = receive(port, dual, 1);
            assertThat(fromDual).extracting(Got::sender).containsExactly(local(peer4));
            assertThat(fromDual.get(0).sender().getAddress()).isInstanceOf(Inet4Address.class);
            assertThat(v6.localAddress().getAddress().getHostAddress()).isIn("0:0:0:0:0:0:0:1", "::1");
            close(port, v4);
            close(port, v6);
            close(port, dual);
        }
    }

    @Test
    void anUnconnectedSendReachesEachDatagramsOwnTargetInOneChain() throws Exception {
        try (UringTransport t = transport(); DatagramChannel a = peer(LOOPBACK4); DatagramChannel b = peer(LOOPBACK4)) {
            UringPort port = t.ports().get(0);
            UringDatagram d = open(port, new InetSocketAddress("::", 0), null, Map.of());
            InetSocketAddress ta = (InetSocketAddress) a.getLocalAddress();
            InetSocketAddress tb = (InetSocketAddress) b.getLocalAddress();
            ByteBuffer direct = ByteBuffer.allocateDirect(16).put("direct".getBytes(StandardCharsets.US_ASCII)).flip();
            ByteBuffer[] datagrams = {text("one"), text("two"), direct, text("")};
            Outcome o = send(port, d, datagrams, new InetSocketAddress[] {ta, tb, ta, tb});
            assertThat(o.sent()).isEqualTo(4);
            assertThat(o.error()).isNull();
            assertThat(datagrams).allMatch(x -> x.position() == 0, "positions left where they were");
            assertThat(peerReceive(a)).isEqualTo("one");
            assertThat(peerReceive(a)).isEqualTo("direct");
            assertThat(peerReceive(b)).isEqualTo("two");
            assertThat(peerReceive(b)).isEqualTo("");
            close(port, d);
        }
    }

    @Test
    void aConnectedSocketSendsToItsPeerAndReceivesFromIt() throws Exception {
        try (UringTransport t = transport(); DatagramChannel peer = peer(LOOPBACK6)) {
            UringPort port = t.ports().get(0);
            InetSocketAddress to = (InetSocketAddress) peer.getLocalAddress();
            UringDatagram d = open(port, new InetSocketAddress("0.0.0.0", 0), to, Map.of());
            assertThat(d.remoteAddress()).isEqualTo(to);
            Outcome o = send(port, d, new ByteBuffer[] {text("hello"), text("again")}, new InetSocketAddress[2]);
            assertThat(o.sent()).isEqualTo(2);
            assertThat(peerReceive(peer)).isEqualTo("hello");
            assertThat(peerReceive(peer)).isEqualTo("again");
            peer.send(text("back"), d.localAddress());
            assertThat(receive(port, d, 4)).extracting(Got::text, Got::sender).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("back", to));
            close(port, d);
        }
    }

    @Test
    void aDatagramTooLongFailsTheSendAfterTheOnesBeforeItNamingItsSizeAndTheRestAreNotSent() throws Exception {
        try (UringTransport t = transport(); DatagramChannel peer = peer(LOOPBACK4)) {
            UringPort port = t.ports().get(0);
            UringDatagram d = open(port, LOOPBACK4, null, Map.of());
            InetSocketAddress to = (InetSocketAddress) peer.getLocalAddress();
            Outcome o = send(port, d, new ByteBuffer[] {text("fits"), ByteBuffer.allocate(70_000), text("after")},
                    new InetSocketAddress[] {to, to, to});
            assertThat(o.sent()).isEqualTo(1);
            assertThat(o.error()).isInstanceOf(io.flowsock.core.spi.DatagramTooLongIOException.class).hasMessageContaining("70000").hasMessageContaining("EMSGSIZE");
            assertThat(peerReceive(peer)).isEqualTo("fits");
            Outcome next = send(port, d, new ByteBuffer[] {text("next")}, new InetSocketAddress[] {to});
            assertThat(next.sent()).isEqualTo(1);
            assertThat(peerReceive(peer)).as("the datagram after the refused one was never sent").isEqualTo("next");
            close(port, d);
        }
    }

    @Test
    void aConnectedSocketsReceiveFailsWithPortUnreachableWhenThePeerHasNoSocket() throws Exception {
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            UringDatagram d = open(port, LOOPBACK4, closedPort(), Map.of());
            Receipt r = post(port, d, 1);
            assertThat(send(port, d, new ByteBuffer[] {text("anyone?")}, new InetSocketAddress[1]).sent()).isEqualTo(1);
            assertThatThrownBy(r::await).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(PortUnreachableException.class);
            close(port, d);
        }
    }

    @Test
    void aConnectedSocketsSendFailsWithPortUnreachableOnceTheKernelHasHeardThePortIsClosed() throws Exception {
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            UringDatagram d = open(port, LOOPBACK4, closedPort(), Map.of());
            Outcome o = null;
            for (int i = 0; i < 100 && (o == null || o.error() == null); i++) {
                o = send(port, d, new ByteBuffer[] {text("anyone?")}, new InetSocketAddress[1]);
                Thread.sleep(5);
            }
            assertThat(o.error()).isInstanceOf(PortUnreachableException.class);
            assertThat(o.sent()).isZero();
            close(port, d);
        }
    }

    @Test
    void datagramsThatFindTheQueueFullWhileNoReceiveIsPostedAreCountedExactly() throws Exception {
        try (UringTransport t = transport(); DatagramChannel peer = peer(LOOPBACK4)) {
            UringPort port = t.ports().get(0);
            UringDatagram d = open(port, LOOPBACK4, null, Map.of(StandardSocketOptions.SO_RCVBUF, 4096));
            peer.send(text("before the pause"), d.localAddress());
            assertThat(receive(port, d, 1)).hasSize(1);                // the multishot was armed, then no receive
            int flood = 300;
            for (int i = 0; i < flood; i++) {
                peer.send(ByteBuffer.wrap(new byte[512]), d.localAddress());
            }
            long drops = call(port, d::kernelDrops);
            assertThat(drops).as("a paused socket does not read: the kernel's small queue overflows").isPositive();
            int received = 0;
            while (received + drops < flood) {
                received += receive(port, d, 16).size();
            }
            assertThat(received).as("only what the kernel's queue of 8 KiB held: the port took nothing meanwhile")
                    .isLessThan(30);
            assertThat(received + drops).as("received plus dropped is what was sent").isEqualTo(flood);
            assertThat(call(port, d::kernelDrops)).isEqualTo(drops);
            peer.send(text("after"), d.localAddress());
            assertThat(receive(port, d, 1)).extracting(Got::text).containsExactly("after");
            assertThat(call(port, d::droppedAsLastReported)).as("SO_RXQ_OVFL's counter on the next datagram")
                    .isEqualTo(drops);
            close(port, d);
        }
    }

    @Test
    void aJoinedGroupsDatagramsArriveAndLeavingIsAccepted() throws Exception {
        Optional<NetworkInterface> found = multicastInterface();
        Assumptions.assumeTrue(found.isPresent(),
                "no interface that is up, multicast-capable and not loopback with an IPv4 address (lo has no MULTICAST flag)");
        NetworkInterface ni = found.get();
        InetAddress group = InetAddress.getByName("239.255.42.99");
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            Map<SocketOption<?>, Object> options = Map.of(StandardSocketOptions.IP_MULTICAST_IF, ni,
                    StandardSocketOptions.IP_MULTICAST_TTL, 0,             // looped back, never on the wire
                    StandardSocketOptions.IP_MULTICAST_LOOP, true, StandardSocketOptions.SO_REUSEADDR, true);
            UringDatagram d = open(port, new InetSocketAddress("0.0.0.0", 0), null, options);
            call(port, () -> {
                d.join(group, ni, null);
                return null;
            });
            InetSocketAddress to = new InetSocketAddress(group, d.localAddress().getPort());
            assertThat(send(port, d, new ByteBuffer[] {text("to the group")}, new InetSocketAddress[] {to}).sent())
                    .isEqualTo(1);
            assertThat(receive(port, d, 1)).extracting(Got::text).containsExactly("to the group");
            call(port, () -> {
                d.leave(group, ni, null);
                return null;
            });
            assertThatThrownBy(() -> call(port, () -> {
                d.leave(group, ni, null);
                return null;
            })).as("a second leave: the kernel no longer has the membership")
                    .hasCauseInstanceOf(IOException.class);
            close(port, d);
        }
    }

    @Test
    void everySupportedOptionAppliesOnIpv4Ipv6AndDualStackSockets() throws Exception {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        Assumptions.assumeTrue(lo != null, "no interface named lo");
        Map<SocketOption<?>, Object> options = new java.util.HashMap<>();
        options.put(StandardSocketOptions.SO_SNDBUF, 1 << 16);
        options.put(StandardSocketOptions.SO_RCVBUF, 1 << 16);
        options.put(StandardSocketOptions.SO_REUSEADDR, true);
        options.put(StandardSocketOptions.SO_REUSEPORT, true);
        options.put(StandardSocketOptions.SO_BROADCAST, true);
        options.put(StandardSocketOptions.IP_TOS, 0x10);
        options.put(StandardSocketOptions.IP_MULTICAST_IF, lo);
        options.put(StandardSocketOptions.IP_MULTICAST_TTL, 3);
        options.put(StandardSocketOptions.IP_MULTICAST_LOOP, false);
        assertThat(options.keySet()).containsExactlyInAnyOrderElementsOf(DatagramOptions.SUPPORTED);
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            for (InetSocketAddress local : List.of(LOOPBACK4, LOOPBACK6, new InetSocketAddress("::", 0))) {
                close(port, open(port, local, null, options));
            }
        }
    }

    @Test
    void anOptionOfTheWrongTypeFailsNamingItAndTheValue() throws Exception {
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            assertThatThrownBy(() -> open(port, LOOPBACK4, null, Map.of(StandardSocketOptions.SO_RCVBUF, "big")))
                    .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("SO_RCVBUF")
                    .hasMessageContaining("big");
        }
    }

    @Test
    void anUnsupportedOptionFailsNamingIt() throws Exception {
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            assertThatThrownBy(() -> open(port, LOOPBACK4, null, Map.of(StandardSocketOptions.TCP_NODELAY, true)))
                    .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("TCP_NODELAY");
        }
    }

    @Test
    void closeWithAReceiveArmedReleasesAfterItsFinalCompletionWithTheDescriptorClosed() throws Exception {
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            close(port, open(port, LOOPBACK4, null, Map.of()));      // what the first open and close load, loaded
            int before = openDescriptors();
            UringDatagram d = open(port, LOOPBACK4, null, Map.of());
            Path fd = Path.of("/proc/self/fd/" + d.fd);
            String open = Files.readSymbolicLink(fd).toString();
            assertThat(openDescriptors()).isEqualTo(before + 1);
            Receipt r = post(port, d, 4);
            List<String> events = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> released = new CompletableFuture<>();
            call(port, () -> {
                d.close(() -> {
                    events.add("released");
                    released.complete(null);
                });
                events.add("close returned");
                return null;
            });
            released.get(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(events).as("the multishot was still armed as close returned")
                    .containsExactly("close returned", "released");
            assertThat(link(fd)).as("the descriptor after release").isNotEqualTo(open);
            assertThat(openDescriptors()).as("descriptors after release").isEqualTo(before);
            assertThat(r.done).isNotDone();
        }
    }

    @Test
    void closingTheTransportClosesItsDatagramSockets() throws Exception {
        Path fd;
        String open;
        try (UringTransport t = transport()) {
            UringPort port = t.ports().get(0);
            UringDatagram d = open(port, LOOPBACK4, null, Map.of());
            post(port, d, 1);
            fd = Path.of("/proc/self/fd/" + d.fd);
            open = Files.readSymbolicLink(fd).toString();
        }
        assertThat(link(fd)).as("the descriptor once the transport is closed").isNotEqualTo(open);
    }

    // ------------------------------------------------------------------ helpers

    private static UringDatagram open(UringPort port, InetSocketAddress local, InetSocketAddress remote,
                                      Map<SocketOption<?>, Object> options) throws Exception {
        return call(port, () -> UringDatagram.open(port, local, remote, options));
    }

    private static void close(UringPort port, UringDatagram d) throws Exception {
        CompletableFuture<Void> released = new CompletableFuture<>();
        port.execute(() -> d.close(() -> released.complete(null)));
        released.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    private static Receipt post(UringPort port, UringDatagram d, int count) throws Exception {
        Receipt r = new Receipt();
        call(port, () -> {
            d.receive(count, r);
            return null;
        });
        return r;
    }

    private static List<Got> receive(UringPort port, UringDatagram d, int count) throws Exception {
        return post(port, d, count).await();
    }

    private static Outcome send(UringPort port, UringDatagram d, ByteBuffer[] datagrams, InetSocketAddress[] targets)
            throws Exception {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        call(port, () -> {
            d.send(datagrams, targets, 0, datagrams.length, new DatagramSendCompletion() {
                @Override
                public void completed(int sent) {
                    f.complete(new Outcome(sent, null));
                }

                @Override
                public void failed(int sent, Throwable error) {
                    f.complete(new Outcome(sent, error));
                }
            });
            return null;
        });
        return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    private static DatagramChannel peer(InetSocketAddress at) throws IOException {
        DatagramChannel c = DatagramChannel.open(at.getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        c.bind(at);
        return c;
    }

    private static InetSocketAddress local(DatagramChannel c) throws IOException {
        return (InetSocketAddress) c.getLocalAddress();
    }

    private static String peerReceive(DatagramChannel peer) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(2048);
        peer.receive(b);
        return StandardCharsets.US_ASCII.decode(b.flip()).toString();
    }

    /** A loopback port no socket listens on: a datagram sent there is answered by ICMP port unreachable. */
    private static InetSocketAddress closedPort() throws IOException {
        try (DatagramChannel c = peer(LOOPBACK4)) {
            return (InetSocketAddress) c.getLocalAddress();
        }
    }

    /**
     * Waits until the kernel has queued datagrams for {@code d} (/proc/net/udp's rx_queue). Loopback
     * delivers a datagram within the sender's call, so this only guards a kernel that does not.
     */
    private static void awaitQueued(UringDatagram d) throws Exception {
        String portHex = String.format(":%04X ", d.localAddress().getPort());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 4 && (f[1] + " ").contains(portHex) && Long.parseLong(f[4].split(":")[1], 16) > 0) {
                    return;
                }
            }
            Thread.sleep(1);
        }
    }

    private static Optional<NetworkInterface> multicastInterface() throws IOException {
        return NetworkInterface.networkInterfaces()
                .filter(ni -> {
                    try {
                        return ni.isUp() && ni.supportsMulticast() && !ni.isLoopback()
                                && ni.inetAddresses().anyMatch(a -> a instanceof Inet4Address);
                    } catch (IOException e) {
                        return false;
                    }
                })
                .findFirst();
    }

    private static int openDescriptors() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    private static String link(Path fd) {
        try {
            return Files.exists(fd, LinkOption.NOFOLLOW_LINKS) ? Files.readSymbolicLink(fd).toString() : "closed";
        } catch (IOException e) {
            return "closed";
        }
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    record Got(String text, int length, InetSocketAddress sender, boolean truncated) {
    }

    record Outcome(int sent, Throwable error) {
    }

    /** Receives until it has {@code want} datagrams, posting each next receive inside the completion, as the core does. */
    private static final class Drain implements DatagramReceive {
        final CompletableFuture<List<String>> done = new CompletableFuture<>();
        private final UringDatagram d;
        private final int want;
        private final List<String> got = new ArrayList<>();

        Drain(UringDatagram d, int want) {
            this.d = d;
            this.want = want;
        }

        @Override
        public void completed(ByteBuffer[] data, InetSocketAddress[] senders, boolean[] truncated, int count) {
            for (int i = 0; i < count; i++) {
                got.add(StandardCharsets.US_ASCII.decode(data[i]).toString());
            }
            if (got.size() >= want) {
                done.complete(List.copyOf(got));
            } else {
                d.receive(64, this);
            }
        }

        @Override
        public void failed(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    /** One posted receive's answer, copied out during the call as the SPI requires. */
    private static final class Receipt implements DatagramReceive {
        final CompletableFuture<List<Got>> done = new CompletableFuture<>();

        @Override
        public void completed(ByteBuffer[] data, InetSocketAddress[] senders, boolean[] truncated, int count) {
            List<Got> got = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int length = data[i].remaining();
                got.add(new Got(StandardCharsets.US_ASCII.decode(data[i]).toString(), length, senders[i], truncated[i]));
            }
            done.complete(got);
        }

        @Override
        public void failed(Throwable error) {
            done.completeExceptionally(error);
        }

        List<Got> await() throws Exception {
            return done.get(WAIT_MS, TimeUnit.MILLISECONDS);
        }
    }
}
