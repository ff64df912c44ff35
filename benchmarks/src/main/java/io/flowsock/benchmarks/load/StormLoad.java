package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * storm: {@code connections} non-blocking connects started as fast as {@code threads} threads can, all held
 * open, each waiting for the server's one-byte greeting. A wave stops when every connection is
 * greeted or failed, or at {@code timeout_ms}; then all of its connections are closed. Reports
 * how many were never greeted and when 50 %, 99 % and all had been, counted from the first
 * connect, and when the last connect had been started: the floor under "all greeted", since one
 * thread starting 5,000 connects takes a few hundred milliseconds itself. Greetings are read while
 * the connects are still being started (a look at the selector every {@value #TAKE_EVERY}
 * connects), so each is timed within a few connects of its arrival.
 *
 * <p>A smaller warm-up wave of {@code warmup} connections goes first and is closed
 * {@code settle_ms} before the measured one, so the storm meets a server whose accept and greet
 * paths are compiled, as a server that has been up for a while would be. Errors of both waves
 * count.
 */
final class StormLoad {
    private StormLoad() {
    }

    /** What one wave saw. */
    static final class Wave {
        final long[] greetedAt;   // nanoseconds after the first connect, in arrival order
        int greeted;
        int connectErrors;   // the rest of the wave that is not greeted was lost after connecting
        long issuedNanos;    // when the last connect had been started, after the first

        Wave(int connections) {
            greetedAt = new long[connections];
        }

        /** Connected but never greeted. */
        int lost() {
            return greetedAt.length - greeted - connectErrors;
        }
    }

    static Metrics run(InetSocketAddress server, Params p) throws IOException, InterruptedException {
        int connections = p.integer("connections");
        long timeoutNanos = p.num("timeout_ms") * 1_000_000L;
        int threads = Math.toIntExact(p.num("threads", 2));
        Wave warm = waves(server, p.integer("warmup"), threads, timeoutNanos);
        Thread.sleep(p.num("settle_ms"));
        Control.mark("begin");
        Wave w = waves(server, connections, threads, timeoutNanos);
        Control.mark("end");
        if (w.lost() + warm.lost() > 0) {
            Control.error("storm: " + w.lost() + " of " + connections + " connections (and " + warm.lost()
                    + " of the warm-up wave) connected but were never greeted within " + p.num("timeout_ms") + " ms");
        }
        return result(warm, w);
    }

    /** The RESULT of a run: the measured wave's figures, the errors of both. */
    static Metrics result(Wave warm, Wave w) {
        return new Metrics()
                .put("connections", w.greetedAt.length)
                .put("greeted", w.greeted)
                .put("t50_ms", at(w, 0.50))
                .put("t99_ms", at(w, 0.99))
                .put("t100_ms", at(w, 1.0))
                .put("issued_ms", w.issuedNanos / 1e6)
                .put("cpu_units", w.greetedAt.length)
                .put("err_connect", w.connectErrors + warm.connectErrors)
                .put("err_ungreeted", w.lost() + warm.lost());
    }

    /**
     * One wave started by {@code threads} threads at once, each with its own share of the
     * connections and its own selector, timed from one common start; every connection is held
     * until all threads are done, then closed.
     */
    private static Wave waves(InetSocketAddress server, int connections, int threads, long timeoutNanos)
            throws IOException, InterruptedException {
        Wave[] parts = new Wave[threads];
        List<List<SocketChannel>> open = new ArrayList<>();
        Exception[] failed = new Exception[1];    // the first worker's failure, whatever it was
        Thread[] running = new Thread[threads];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int share = connections / threads + (t < connections % threads ? 1 : 0);
            List<SocketChannel> mine = new ArrayList<>(share);
            open.add(mine);
            int index = t;
            running[t] = new Thread(() -> {
                try {
                    parts[index] = wave(server, share, timeoutNanos, t0, mine);
                } catch (IOException | RuntimeException e) {
                    synchronized (failed) {
                        if (failed[0] == null) {
                            failed[0] = e;
                        }
                    }
                }
            }, "storm-" + t);
            running[t].start();
        }
        try {
            for (Thread t : running) {
                t.join();
            }
        } finally {
            for (List<SocketChannel> l : open) {
                for (SocketChannel ch : l) {
                    ch.close();
                }
            }
        }
        synchronized (failed) {
            if (failed[0] instanceof IOException e) {
                throw e;
            } else if (failed[0] != null) {
                throw new IOException("a storm thread failed", failed[0]);
            }
        }
        Wave all = new Wave(connections);
        for (Wave part : parts) {
            System.arraycopy(part.greetedAt, 0, all.greetedAt, all.greeted, part.greeted);
            all.greeted += part.greeted;
            all.connectErrors += part.connectErrors;
            all.issuedNanos = Math.max(all.issuedNanos, part.issuedNanos);
        }
        Arrays.sort(all.greetedAt, 0, all.greeted);
        return all;
    }

    private static Wave wave(InetSocketAddress server, int connections, long timeoutNanos, long t0,
                             List<SocketChannel> open) throws IOException {
        Wave w = new Wave(connections);
        try (Selector selector = Selector.open()) {
            Settle settle = new Settle(w, selector, t0);
            for (int i = 0; i < connections; i++) {
                try {
                    SocketChannel ch = SocketChannel.open();
                    open.add(ch);
                    ch.configureBlocking(false);
                    boolean connected = ch.connect(server);
                    ch.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT);
                } catch (IOException e) {
                    w.connectErrors++;
                    settle.settled++;
                    Control.error("storm connect: " + e);
                }
                if ((i + 1) % TAKE_EVERY == 0) {
                    selector.selectNow();   // greetings are timed as they come, not after the last connect
                    settle.take();
                }
            }
            w.issuedNanos = System.nanoTime() - settle.t0;
            while (settle.settled < connections && System.nanoTime() - settle.t0 < timeoutNanos) {
                selector.select(100);
                settle.take();
            }
        }
        return w;
    }

    /** Connects between two looks at the selector while a wave is still being started. */
    private static final int TAKE_EVERY = 16;

    /** Settles what the selector reports: a connect finished or failed, a greeting read. */
    private static final class Settle {
        final Wave w;
        final Selector selector;
        final long t0;
        final ByteBuffer one = ByteBuffer.allocate(2);
        int settled;

        Settle(Wave w, Selector selector, long t0) {
            this.w = w;
            this.selector = selector;
            this.t0 = t0;
        }

        void take() {
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel ch = (SocketChannel) key.channel();
                if (key.isConnectable()) {
                    try {
                        ch.finishConnect();
                        key.interestOps(SelectionKey.OP_READ);
                    } catch (IOException e) {
                        w.connectErrors++;
                        settled++;
                        key.cancel();
                        Control.error("storm connect: " + e);
                    }
                } else if (key.isReadable()) {
                    greeting(ch);
                    settled++;
                    key.interestOps(0);   // settled: hold the connection, stop watching it
                }
            }
            selector.selectedKeys().clear();
        }

        private void greeting(SocketChannel ch) {
            one.clear();
            int n;
            try {
                n = ch.read(one);
            } catch (IOException e) {
                Control.error("storm read: " + e);
                return;
            }
            if (n == 1 && one.get(0) == Protocol.GREETING) {
                w.greetedAt[w.greeted++] = System.nanoTime() - t0;
            } else {
                Control.error("storm: expected the greeting, read " + n + " bytes");
            }
        }
    }

    /** Milliseconds until {@code q} of the wave's connections were greeted; empty if they never were. */
    private static OptionalDouble at(Wave w, double q) {
        int needed = Math.max(1, (int) Math.ceil(q * w.greetedAt.length));
        return needed <= w.greeted ? OptionalDouble.of(w.greetedAt[needed - 1] / 1e6) : OptionalDouble.empty();
    }
}
