package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * hello: a new connection per exchange. Each of {@code concurrency} threads loops: connect, send
 * "hello", read "hello back", shut down output, read the server's EOF, close. The client's FIN
 * goes first, so TIME_WAIT stays on the client's side.
 *
 * <p>Warm-up for {@code warmup_ms}, then MARK begin, {@code duration_ms} measured, stop, join,
 * MARK end. An exchange counts when it started after the measurement began; errors count in
 * every phase. Each loop stops after {@code max_per_loop} exchanges, and the measurement ends
 * early when every loop has: {@code completed} counts the exchanges of every phase, so a run of
 * exactly N connections is {@code concurrency=1 max_per_loop=N}.
 *
 * <p>How a loop opens its connection is a {@link Dialer}: plain TCP here, TLS in {@link TlsDialer}.
 */
final class HelloLoad {
    private static final int TIMEOUT_MS = 10_000;

    private HelloLoad() {
    }

    /** Opens each exchange's connection; called from every loop thread at once. */
    interface Dialer {
        /** A new, unconnected socket. */
        Socket socket() throws IOException;

        /** After the connect: a TLS dialer completes and checks its handshake here. */
        default void connected(Socket s) throws IOException {
        }

        /** Whether there are handshakes to count: then the result says what share of them resumed a session. */
        default boolean hasHandshakes() {
            return false;
        }

        /** Full handshakes (not resumed) so far on the calling thread. */
        default long fullHandshakes() {
            return 0;
        }
    }

    private static final Dialer PLAIN = Socket::new;

    private static final class Shared {
        volatile boolean stop;
        volatile long measureFrom = Long.MAX_VALUE;
    }

    private static final class Loop extends Thread {
        private final InetSocketAddress server;
        private final Shared shared;
        private final Dialer dialer;
        private final long max;
        private final byte[] reply = new byte[Protocol.HELLO_BACK.length];
        final Samples samples = new Samples(1 << 20);
        long exchanges;
        long completed;   // in every phase, the warm-up included
        long connectErrors;
        long otherErrors;
        long resumed;   // measured exchanges whose handshake checked no certificate

        Loop(InetSocketAddress server, Shared shared, Dialer dialer, long max, int n) {
            super("hello-" + n);
            this.server = server;
            this.shared = shared;
            this.dialer = dialer;
            this.max = max;
        }

        @Override
        public void run() {
            for (long done = 0; !shared.stop && done < max; done++) {
                long start = System.nanoTime();
                boolean measured = start >= shared.measureFrom;
                long fullBefore = dialer.fullHandshakes();
                int outcome = exchange();
                long took = System.nanoTime() - start;
                if (outcome == 0) {
                    completed++;
                }
                if (outcome == 0 && measured) {
                    exchanges++;
                    samples.add(took);
                    if (dialer.fullHandshakes() == fullBefore) {
                        resumed++;
                    }
                } else if (outcome == 1) {
                    connectErrors++;
                    pause();   // a refused connect returns at once: don't spin on a dead server
                } else if (outcome == 2) {
                    otherErrors++;
                }
            }
        }

        /** 0 done, 1 connect failed, 2 failed after connecting. */
        private int exchange() {
            try (Socket s = dialer.socket()) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(TIMEOUT_MS);
                try {
                    s.connect(server, TIMEOUT_MS);
                } catch (IOException e) {
                    Control.error("hello connect: " + e);
                    return 1;
                }
                dialer.connected(s);
                s.getOutputStream().write(Protocol.HELLO);
                InputStream in = s.getInputStream();
                int n = in.readNBytes(reply, 0, reply.length);
                if (n != reply.length || !Arrays.equals(reply, Protocol.HELLO_BACK)) {
                    Control.error("hello: wrong reply, " + n + " bytes");
                    return 2;
                }
                s.shutdownOutput();
                int next = in.read();
                if (next != -1) {
                    Control.error("hello: byte " + next + " after the reply instead of EOF");
                    return 2;
                }
                return 0;
            } catch (IOException e) {
                Control.error("hello: " + e);
                return 2;
            }
        }

        private static void pause() {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static Metrics run(InetSocketAddress server, Params p) throws Exception {
        return run(server, p, PLAIN);
    }

    /**
     * hello over {@code dialer}; with handshakes, {@code resumed} is the share of measured
     * exchanges whose handshake resumed a session (unavailable without any).
     */
    static Metrics run(InetSocketAddress server, Params p, Dialer dialer) throws Exception {
        int concurrency = p.integer("concurrency");
        long warmupMs = p.num("warmup_ms");
        long durationMs = p.num("duration_ms");
        long maxPerLoop = p.num("max_per_loop", 10_000_000);
        Shared shared = new Shared();
        List<Loop> loops = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            loops.add(new Loop(server, shared, dialer, maxPerLoop, i));
        }
        loops.forEach(Thread::start);
        Thread.sleep(warmupMs);
        Control.mark("begin");
        long t0 = System.nanoTime();
        shared.measureFrom = t0;
        long end = t0 + durationMs * 1_000_000L;
        for (Loop l : loops) {   // the duration, or less when every loop has done its max_per_loop
            long left = (end - System.nanoTime()) / 1_000_000L;
            if (left > 0) {
                l.join(left);
            }
        }
        shared.stop = true;
        for (Loop l : loops) {
            l.join(2L * TIMEOUT_MS + 1000);
        }
        long t1 = System.nanoTime();
        Control.mark("end");
        long exchanges = 0;
        long completed = 0;
        long connectErrors = 0;
        long otherErrors = 0;
        long resumed = 0;
        for (Loop l : loops) {
            resumed += l.resumed;
            exchanges += l.exchanges;
            completed += l.completed;
            connectErrors += l.connectErrors;
            otherErrors += l.otherErrors;
            if (l.isAlive()) {
                otherErrors++;
                Control.error("hello: " + l.getName() + " still running after stop");
            }
        }
        double seconds = (t1 - t0) / 1e9;
        Metrics m = new Metrics()
                .put("exchanges", exchanges)
                .put("completed", completed)
                .put("seconds", seconds)
                .put("rate", exchanges / seconds)
                .latencies(Samples.merge(loops.stream().map(l -> l.samples).toList()))
                .put("cpu_units", exchanges)
                .put("err_connect", connectErrors)
                .put("err_other", otherErrors);
        if (dialer.hasHandshakes()) {
            m.put("resumed", exchanges == 0 ? OptionalDouble.empty() : OptionalDouble.of(resumed / (double) exchanges));
        }
        return m;
    }
}
