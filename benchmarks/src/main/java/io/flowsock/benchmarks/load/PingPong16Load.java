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
 * connections, MARK end. {@link #drive} is that loop for any request and answer (ws-echo's too).
 */
final class PingPong16Load {
    private PingPong16Load() {
    }

    /** One connection's request in flight: what it sends, and the answer it waits for. Touched only by the selecting thread. */
    abstract static class Peer {
        final SocketChannel ch;
        final ByteBuffer out;
        final ByteBuffer in;
        long sentAt;

        Peer(SocketChannel ch, int requestBytes, int answerBytes) {
            this.ch = ch;
            out = ByteBuffer.allocate(requestBytes);
            in = ByteBuffer.allocate(answerBytes);
        }

        /** Fills {@link #out} with request number {@code seq}, flipped for writing. */
        abstract void prepare(long seq);

        /** {@link #in} is full: throws unless it is the answer to the request sent. */
        abstract void check() throws IOException;

        /** Whether {@link #in} holds the whole answer: when full, unless a peer's answers vary in length. */
        boolean answered() {
            return !in.hasRemaining();
        }
    }

    /** pingpong16's own peer: 64 bytes of its letter, the sequence number in front, echoed as they are. */
    private static final class Echo extends Peer {
        final byte[] request = new byte[Protocol.PING_SIZE];

        Echo(SocketChannel ch, int id) {
            super(ch, Protocol.PING_SIZE, Protocol.PING_SIZE);
            Arrays.fill(request, (byte) ('a' + id % 26));
        }

        @Override
        void prepare(long seq) {
            ByteBuffer.wrap(request).putLong(0, seq);
            out.clear();
            out.put(request).flip();
        }

        @Override
        void check() throws IOException {
            if (!Arrays.equals(in.array(), request)) {
                throw new IOException("echo differs from the request on " + ch.getLocalAddress());
            }
        }
    }

    static Metrics run(InetSocketAddress server, Params p) throws IOException {
        int connections = p.integer("connections");
        List<Peer> peers = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open(server);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                peers.add(new Echo(ch, i));
            }
            return drive(peers, p);
        } finally {
            for (Peer peer : peers) {
                peer.ch.close();
            }
        }
    }

    /** Warm-up, MARK begin, the measured round trips, MARK end, over connected {@code peers} (closed by the caller). */
    static Metrics drive(List<? extends Peer> peers, Params p) throws IOException {
        long roundTrips = p.num("round_trips");
        try (Selector selector = Selector.open()) {
            for (Peer peer : peers) {
                peer.ch.configureBlocking(false);
                peer.ch.register(selector, SelectionKey.OP_READ, peer);
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
        }
    }

    /** Issues exactly {@code count} round trips, numbered from {@code first}, and waits for all. */
    private static void phase(Selector selector, List<? extends Peer> peers, long first, long count, Samples samples)
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
                throw new IOException("no answer for 10 s with " + (issued - done) + " requests outstanding");
            }
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                Peer peer = (Peer) keys.next().attachment();
                keys.remove();
                if (peer.ch.read(peer.in) < 0) {
                    throw new IOException("the server closed a connection with a request outstanding");
                }
                if (!peer.answered()) {
                    continue;
                }
                samples.add(System.nanoTime() - peer.sentAt);
                peer.check();
                peer.in.clear();
                done++;
                if (issued < count) {
                    send(peer, first + issued++);
                }
            }
        }
    }

    private static void send(Peer peer, long seq) throws IOException {
        peer.prepare(seq);
        peer.sentAt = System.nanoTime();
        // a short request into an empty send buffer: the loop exists for correctness, not because it spins
        while (peer.out.hasRemaining()) {
            if (peer.ch.write(peer.out) == 0) {
                Thread.onSpinWait();
            }
        }
    }
}
