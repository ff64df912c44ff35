package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * pingpong16: pingpong over {@code connections} connections with one request outstanding on
 * each, driven by one thread and a Selector (no client thread scheduling in the numbers).
 * {@code warmup} round trips, drained, MARK begin, {@code round_trips} in total across the
 * connections, MARK end.
 */
final class PingPong16Load {
    private PingPong16Load() {
    }

    /** One connection's request in flight. Touched only by the selecting thread. */
    private static final class Peer {
        final SocketChannel ch;
        final byte[] request = new byte[Protocol.PING_SIZE];
        final ByteBuffer out = ByteBuffer.wrap(request);
        final ByteBuffer in = ByteBuffer.allocate(Protocol.PING_SIZE);
        long sentAt;

        Peer(SocketChannel ch, int id) {
            this.ch = ch;
            Arrays.fill(request, (byte) ('a' + id % 26));
        }
    }

    static Metrics run(InetSocketAddress server, Params p) throws IOException {
        int connections = p.integer("connections");
        long roundTrips = p.num("round_trips");
        List<Peer> peers = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open(server);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                Peer peer = new Peer(ch, i);
                peers.add(peer);
                ch.register(selector, SelectionKey.OP_READ, peer);
            }
            long warmup = p.num("warmup");
            phase(selector, peers, 0, warmup, new Samples(0));
            Control.mark("begin");
            Samples samples = new Samples(Math.toIntExact(roundTrips));
            long t0 = System.nanoTime();
            phase(selector, peers, warmup, roundTrips, samples);
            long t1 = System.nanoTime();
            Control.mark("end");
            double seconds = (t1 - t0) / 1e9;
            return Metrics.roundTrips(roundTrips, seconds, samples);
        } finally {
            for (Peer peer : peers) {
                peer.ch.close();
            }
        }
    }

    /** Issues exactly {@code count} round trips, numbered from {@code first}, and waits for all. */
    private static void phase(Selector selector, List<Peer> peers, long first, long count, Samples samples)
            throws IOException {
        long issued = 0;
        long done = 0;
        for (Peer peer : peers) {
            if (issued < count) {
                send(peer, first + issued++);
            }
        }
        while (done < count) {
            if (selector.select(10_000) == 0) {
                throw new IOException("no echo for 10 s with " + (issued - done) + " requests outstanding");
            }
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                Peer peer = (Peer) keys.next().attachment();
                keys.remove();
                if (peer.ch.read(peer.in) < 0) {
                    throw new IOException("server closed a pingpong16 connection");
                }
                if (peer.in.hasRemaining()) {
                    continue;
                }
                samples.add(System.nanoTime() - peer.sentAt);
                if (!Arrays.equals(peer.in.array(), peer.request)) {
                    throw new IOException("echo differs from the request on " + peer.ch.getLocalAddress());
                }
                peer.in.clear();
                done++;
                if (issued < count) {
                    send(peer, first + issued++);
                }
            }
        }
    }

    private static void send(Peer peer, long seq) throws IOException {
        peer.out.clear();
        peer.out.putLong(0, seq);
        peer.sentAt = System.nanoTime();
        // 64 bytes into an empty send buffer: the loop exists for correctness, not because it spins
        while (peer.out.hasRemaining()) {
            if (peer.ch.write(peer.out) == 0) {
                Thread.onSpinWait();
            }
        }
    }
}
