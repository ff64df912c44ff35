package io.flowsock.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * webflux-sse: {@code clients} keep-alive connections at once, each asking for
 * {@code GET /sse?count=<events>} again and again until the pass's time is up, reading every
 * stream to its last chunk and comparing it byte for byte with the events the application sends
 * ({@code id:i}, {@code data:tick i}, a blank line). A pass of {@code warmup_s} repeats while the
 * runner asks, then MARK begin, a pass of {@code duration_s}, MARK end. The rate counts the events
 * of streams that arrived whole and right; a stream's time (request to last chunk) gives the
 * percentiles; server CPU is counted per event. A wrong stream or an I/O error counts in
 * {@code err_stream}, and an I/O error opens a new connection.
 */
final class SseLoad {
    private static final int BUFFER = 64 * 1024;

    private SseLoad() {
    }

    static Metrics run(InetSocketAddress server, Params p) throws IOException, InterruptedException {
        int clients = p.integer("clients");
        int events = p.integer("events");
        String path = "/sse?count=" + events;
        String expected = stream(events);
        do {
            pass(server, clients, path, expected, p.num("warmup_s"));
        } while (Control.warmAgain());
        Control.mark("begin");
        Pass timed = pass(server, clients, path, expected, p.num("duration_s"));
        Control.mark("end");
        long total = timed.streams * events;
        return new Metrics()
                .put("streams", timed.streams)
                .put("events", total)
                .put("seconds", timed.seconds)
                .put("rate", total / timed.seconds)
                .latencies(timed.samples)
                .put("cpu_units", total)
                .put("err_stream", timed.errors);
    }

    /** What {@code GET /sse?count=n} must answer: n events as Spring's SSE writer frames them. */
    static String stream(int n) {
        StringBuilder s = new StringBuilder(n * 24);
        for (int i = 0; i < n; i++) {
            s.append("id:").append(i).append("\ndata:tick ").append(i).append("\n\n");
        }
        return s.toString();
    }

    private record Pass(long streams, long errors, double seconds, Samples samples) {
    }

    private static Pass pass(InetSocketAddress server, int clients, String path, String expected, long seconds)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        AtomicLong streams = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Samples> parts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Samples samples = new Samples(1 << 20);
            parts.add(samples);
            Thread t = new Thread(() -> client(server, path, expected, deadline, samples, streams, errors), "sse-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Pass(streams.get(), errors.get(), (System.nanoTime() - start) / 1e9, Samples.merge(parts));
    }

    /** One client: streams on one connection until the deadline, a new connection after an I/O error. */
    private static void client(InetSocketAddress server, String path, String expected, long deadline, Samples samples,
                               AtomicLong streams, AtomicLong errors) {
        HttpConnection c = null;
        try {
            while (System.nanoTime() < deadline) {
                try {
                    if (c == null) {
                        c = new HttpConnection(server, BUFFER);
                    }
                    long t0 = System.nanoTime();
                    HttpConnection.Response r = c.get(path);
                    long t1 = System.nanoTime();
                    if (r.status() == 200 && r.body().equals(expected)) {
                        streams.incrementAndGet();
                        samples.add(t1 - t0);
                    } else {
                        errors.incrementAndGet();
                        Control.error("GET " + path + " answered " + r.status() + " with " + r.body().length()
                                + " chars, not the " + expected.length() + " expected");
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                    Control.error("GET " + path + ": " + e);
                    close(c);
                    c = null;
                }
            }
        } finally {
            close(c);
        }
    }

    private static void close(HttpConnection c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a socket that failed: nothing more to learn from it
            }
        }
    }
}
