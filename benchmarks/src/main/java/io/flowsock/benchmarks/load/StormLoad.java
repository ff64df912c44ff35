package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * storm: {@code connections} non-blocking connects started as fast as one thread can, all held
 * open, each waiting for the server's one-byte greeting. A wave stops when every connection is
 * greeted or failed, or at {@code timeout_ms}; then all of its connections are closed. Reports
 * how many were never greeted and when 50 %, 99 % and all had been, counted from the first
 * connect.
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
        Wave warm = wave(server, p.integer("warmup"), timeoutNanos);
        Thread.sleep(p.num("settle_ms"));
        Control.mark("begin");
        Wave w = wave(server, connections, timeoutNanos);
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
                .put("cpu_units", w.greetedAt.length)
                .put("err_connect", w.connectErrors + warm.connectErrors)
                .put("err_ungreeted", w.lost() + warm.lost());
    }

    private static Wave wave(InetSocketAddress server, int connections, long timeoutNanos) throws IOException {
        Wave w = new Wave(connections);
        List<SocketChannel> open = new ArrayList<>(connections);
        ByteBuffer one = ByteBuffer.allocate(2);
        try (Selector selector = Selector.open()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                try {
                    SocketChannel ch = SocketChannel.open();
                    open.add(ch);
                    ch.configureBlocking(false);
                    boolean connected = ch.connect(server);
                    ch.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT);
                } catch (IOException e) {
                    w.connectErrors++;
                    Control.error("storm connect: " + e);
                }
            }
            int settled = w.connectErrors;
            while (settled < connections && System.nanoTime() - t0 < timeoutNanos) {
                selector.select(100);
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
                        one.clear();
                        int n;
                        try {
                            n = ch.read(one);
                        } catch (IOException e) {
                            n = -2;
                            Control.error("storm read: " + e);
                        }
                        if (n == 1 && one.get(0) == Protocol.GREETING) {
                            w.greetedAt[w.greeted++] = System.nanoTime() - t0;
                        } else {
                            if (n != -2) {
                                Control.error("storm: expected the greeting, read " + n + " bytes");
                            }
                        }
                        settled++;
                        key.interestOps(0);   // settled: hold the connection, stop watching it
                    }
                }
                selector.selectedKeys().clear();
            }
        } finally {
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
        return w;
    }

    /** Milliseconds until {@code q} of the wave's connections were greeted; empty if they never were. */
    private static OptionalDouble at(Wave w, double q) {
        int needed = Math.max(1, (int) Math.ceil(q * w.greetedAt.length));
        return needed <= w.greeted ? OptionalDouble.of(w.greetedAt[needed - 1] / 1e6) : OptionalDouble.empty();
    }
}
