package io.flowsock.benchmarks;

import io.flowsock.benchmarks.server.Behaviour;
import java.util.List;

/**
 * The scenarios, in the order they run: the server behaviour, the load's arguments in quick and
 * full mode, where the server and the load run ({@link Placement}), and the rows each adds to the table.
 *
 * <p>Metric keys are what the load prints, plus what the runner derives: {@code cpu} (server CPU
 * time per {@code cpu_units}, times {@code cpuScale}), {@code errors} (every err_ key plus failed
 * runs), for storm {@code listen_overflows} and {@code listen_drops} and, for idle, {@code heap_per_conn}, {@code rss_per_conn}, {@code heap_mib},
 * {@code rss_mib}.
 */
enum Scenario {
    HELLO("hello", Behaviour.HELLO, Placement.SHARED,
            "concurrency=32 warmup_ms=500 duration_ms=2000",
            "concurrency=32 warmup_ms=3000 duration_ms=10000",
            30_000, 60_000, 1e6, false, List.of(
                    new Metric("rate", "exchanges/s ↑"),
                    new Metric("p50_us", "exchange p50 µs ↓"),
                    new Metric("p99_us", "exchange p99 µs ↓"),
                    new Metric("cpu", "server CPU µs/exchange ↓"),
                    new Metric("err_connect", "connect errors"),
                    new Metric("err_other", "other errors"))),
    STORM("storm", Behaviour.GREET, Placement.SHARED,
            "connections=500 warmup=200 settle_ms=300 timeout_ms=10000 threads=2",
            "connections=5000 warmup=1000 settle_ms=1000 timeout_ms=15000 threads=2",
            30_000, 60_000, 1e6, false, List.of(
                    new Metric("t50_ms", "ms to 50 % greeted ↓"),
                    new Metric("t99_ms", "ms to 99 % greeted ↓"),
                    new Metric("t100_ms", "ms to all greeted ↓"),
                    new Metric("issued_ms", "ms to start all connects (load generator; floor of the above)"),
                    new Metric("cpu", "server CPU µs/connection ↓"),
                    new Metric("err_ungreeted", "never greeted"),
                    new Metric("err_connect", "connect errors"),
                    new Metric("listen_overflows", "TcpExtListenOverflows, timed wave ↓"),
                    new Metric("listen_drops", "TcpExtListenDrops, timed wave ↓"))),
    /**
     * stream and echo-stream as a fresh server JVM sees them: no warm-up, the window opens before
     * the first byte, so it holds the JIT compiling the data path and the first touch of every heap
     * page the server allocates (one minor fault per 4 KiB page, in system time). A long-running
     * server pays this once; a run that starts a server per measurement pays it every time.
     */
    STREAM_FRESH("stream-fresh", Behaviour.DISCARD, Placement.SHARED,
            "bytes=" + (64L << 20) + " warmup_bytes=0",
            "bytes=" + (2L << 30) + " warmup_bytes=0",
            30_000, 120_000, 1, true, Metric.FRESH_BULK),
    ECHO_STREAM_FRESH("echo-stream-fresh", Behaviour.ECHO, Placement.SHARED,
            "bytes=" + (32L << 20) + " warmup_bytes=0",
            "bytes=" + (1L << 30) + " warmup_bytes=0",
            30_000, 120_000, 1, true, Metric.FRESH_BULK),
    STREAM("stream", Behaviour.DISCARD, Placement.SHARED,
            "bytes=" + (64L << 20) + " warmup_bytes=" + (32L << 20),
            "bytes=" + (2L << 30) + " warmup_bytes=" + (512L << 20),
            30_000, 120_000, 1, false, List.of(
                    new Metric("mib_s", "MiB/s ↑"),
                    new Metric("cpu", "server CPU s/GiB ↓"),
                    new Metric("cpu_jit", "of which JIT compiler threads s/GiB"))),
    ECHO_STREAM("echo-stream", Behaviour.ECHO, Placement.SHARED,
            "bytes=" + (32L << 20) + " warmup_bytes=" + (16L << 20),
            "bytes=" + (1L << 30) + " warmup_bytes=" + (256L << 20),
            30_000, 120_000, 1, false, List.of(
                    new Metric("mib_s", "MiB/s ↑"),
                    new Metric("cpu", "server CPU s/GiB ↓"),
                    new Metric("cpu_jit", "of which JIT compiler threads s/GiB"))),
    PINGPONG("pingpong", Behaviour.ECHO, Placement.PINNED,
            "round_trips=5000 warmup=2000",
            "round_trips=200000 warmup=50000",
            30_000, 120_000, 1e6, false, List.of(
                    new Metric("rate", "round trips/s ↑"),
                    new Metric("p50_us", "p50 µs ↓"),
                    new Metric("p99_us", "p99 µs ↓"),
                    new Metric("p999_us", "p99.9 µs ↓"),
                    new Metric("cpu", "server CPU µs/round trip ↓"))),
    PINGPONG16("pingpong16", Behaviour.ECHO, Placement.PINNED,
            "connections=16 round_trips=5000 warmup=2000",
            "connections=16 round_trips=200000 warmup=50000",
            30_000, 120_000, 1e6, false, List.of(
                    new Metric("rate", "round trips/s ↑"),
                    new Metric("p50_us", "p50 µs ↓"),
                    new Metric("p99_us", "p99 µs ↓"),
                    new Metric("p999_us", "p99.9 µs ↓"),
                    new Metric("cpu", "server CPU µs/round trip ↓"))),
    /** pingpong16 over WebSocket: 16 upgraded connections, a 64-byte binary message in flight on each (WebSocketEchoLoad). */
    WS_ECHO("ws-echo", Behaviour.HTTP, Placement.PINNED,
            "connections=16 size=64 round_trips=5000 warmup=2000",
            "connections=16 size=64 round_trips=200000 warmup=50000",
            30_000, 120_000, 1e6, false, List.of(
                    new Metric("rate", "messages echoed/s ↑"),
                    new Metric("p50_us", "p50 µs ↓"),
                    new Metric("p99_us", "p99 µs ↓"),
                    new Metric("p999_us", "p99.9 µs ↓"),
                    new Metric("cpu", "server CPU µs/message ↓"))),
    /**
     * ws-echo with permessage-deflate agreed: 16 connections, a 1 KiB JSON-like text message in
     * flight on each, compressed both ways with the window kept (WebSocketDeflatePeer).
     */
    WS_ECHO_DEFLATE("ws-echo-deflate", Behaviour.HTTP, Placement.PINNED,
            "connections=16 size=1024 deflate=1 round_trips=5000 warmup=2000",
            "connections=16 size=1024 deflate=1 round_trips=100000 warmup=20000",
            30_000, 120_000, 1e6, false, WS_ECHO.metrics),
    /** wrk on keep-alive connections: {@code GET /hello}, a request at a time on each (see HttpToolLoad). */
    HTTP_KEEPALIVE("http-keepalive", Behaviour.HTTP, Placement.SHARED,
            "threads=2 connections=64 warmup_s=1 duration_s=1",
            "threads=2 connections=64 warmup_s=4 duration_s=10",
            30_000, 120_000, 1e6, false, Metric.WRK),
    /** h2load over HTTP/1.1, 16 requests pipelined on each of 16 connections. */
    HTTP_PIPELINED("http-pipelined", Behaviour.HTTP, Placement.SHARED,
            "connections=16 pipeline=16 warmup_requests=20000 duration_s=1 min_requests=20000",
            "connections=16 pipeline=16 warmup_requests=300000 duration_s=10 min_requests=100000",
            30_000, 120_000, 1e6, false, List.of(
                    new Metric("rate", "requests/s ↑"),
                    new Metric("cpu", "server CPU µs/request ↓"),
                    new Metric("err_not_2xx", "requests not answered 2xx"))),
    /** ab without -k: a connection per request, the seed's HTTPD case. */
    HTTP_CLOSE("http-close", Behaviour.HTTP, Placement.SHARED,
            "concurrency=32 warmup_requests=1000 duration_s=1 min_requests=2000",
            "concurrency=32 warmup_requests=20000 duration_s=10 min_requests=10000",
            30_000, 120_000, 1e6, false, Metric.AB),
    /** One POST /upload streamed with Content-Length, read and dropped by the server. */
    HTTP_UPLOAD("http-upload", Behaviour.HTTP, Placement.SHARED,
            "bytes=" + (64L << 20) + " warmup_bytes=" + (16L << 20),
            "bytes=" + (1L << 30) + " warmup_bytes=" + (256L << 20),
            30_000, 120_000, 1, false, List.of(
                    new Metric("mib_s", "MiB/s ↑"),
                    new Metric("cpu", "server CPU s/GiB ↓"),
                    new Metric("cpu_jit", "of which JIT compiler threads s/GiB"),
                    new Metric("err_response", "wrong answers"))),
    /** Keep-alive connections left open after one request each: what the server holds for them. */
    HTTP_IDLE_MEMORY("http-idle-memory", Behaviour.HTTP, Placement.SHARED,
            "connections=200 warmup_requests=400",
            "connections=2000 warmup_requests=4000",
            30_000, 90_000, 0, false, List.of(
                    new Metric("heap_per_conn", "heap bytes/connection ↓"),
                    new Metric("rss_per_conn", "RSS bytes/connection ↓"),
                    new Metric("heap_mib", "heap MiB, all held ↓"),
                    new Metric("rss_mib", "RSS MiB, all held ↓"),
                    new Metric("err_connect", "connect errors"),
                    new Metric("err_other", "requests not answered right"))),
    /** http-idle-memory for WebSockets: upgraded connections held idle after one echo each (WebSocketIdleLoad). */
    WS_IDLE_MEMORY("ws-idle-memory", Behaviour.HTTP, Placement.SHARED,
            "connections=200 warmup=50",
            "connections=2000 warmup=500",
            30_000, 90_000, 0, false, HTTP_IDLE_MEMORY.metrics),
    IDLE("idle", Behaviour.ECHO, Placement.SHARED,
            "connections=500",
            "connections=10000",
            30_000, 90_000, 0, false, List.of(
                    new Metric("heap_per_conn", "heap bytes/connection ↓"),
                    new Metric("rss_per_conn", "RSS bytes/connection ↓"),
                    new Metric("heap_mib", "heap MiB, all held ↓"),
                    new Metric("rss_mib", "RSS MiB, all held ↓"),
                    new Metric("err_connect", "connect errors"))),
    /** stream over TLS 1.3: the server decrypts and discards. */
    TLS_STREAM("tls-stream", Behaviour.DISCARD, Placement.SHARED,
            "bytes=" + (16L << 20) + " warmup_bytes=" + (8L << 20),
            "bytes=" + (1L << 30) + " warmup_bytes=" + (256L << 20),
            30_000, 120_000, 1, false, true, List.of(
                    new Metric("mib_s", "MiB/s ↑"),
                    new Metric("cpu", "server CPU s/GiB ↓"),
                    new Metric("cpu_jit", "of which JIT compiler threads s/GiB"))),
    /** hello over TLS 1.3, a full handshake on every connection: the client caches no session. */
    TLS_HELLO("tls-hello", Behaviour.HELLO, Placement.SHARED,
            "concurrency=4 warmup_ms=800 duration_ms=1000",
            "concurrency=16 warmup_ms=3000 duration_ms=8000",
            30_000, 60_000, 1e6, false, true, Metric.handshakes("full handshakes/s ↑")),
    /** hello over TLS 1.3 with one client context, so each connection may resume a session (PSK). */
    TLS_RESUME("tls-resume", Behaviour.HELLO, Placement.SHARED,
            "concurrency=4 warmup_ms=800 duration_ms=1000",
            "concurrency=16 warmup_ms=3000 duration_ms=8000",
            30_000, 60_000, 1e6, false, true, Metric.handshakes("resuming handshakes/s ↑")),
    /** UDP echo of 64-byte datagrams, 32 in flight on one socket (see UdpEchoLoad). */
    UDP_ECHO_64("udp-echo-64", Behaviour.UDP_ECHO, Placement.SHARED,
            "window=32 warmup=20000 datagrams=50000",
            "window=32 warmup=200000 datagrams=1000000",
            30_000, 120_000, 1e6, false, Metric.datagrams()),
    /** UDP echo of 1400-byte datagrams (an Ethernet-sized payload), 32 in flight on one socket. */
    UDP_ECHO_1400("udp-echo-1400", Behaviour.UDP_ECHO, Placement.SHARED,
            "window=32 warmup=20000 datagrams=50000",
            "window=32 warmup=200000 datagrams=1000000",
            30_000, 120_000, 1e6, false, Metric.datagrams()),
    /** The WebFlux application's annotated {@code GET /hello} under wrk, as http-keepalive drives flowsock's own server. */
    WEBFLUX_HELLO("webflux-hello", Behaviour.WEBFLUX, Placement.SPLIT,
            "threads=2 connections=64 warmup_s=1 duration_s=1 path=/hello",
            "threads=2 connections=64 warmup_s=4 duration_s=10 path=/hello",
            30_000, 120_000, 1e6, false, Metric.WRK),
    /** {@code GET /json}: a small record through Jackson, the same wrk run. */
    WEBFLUX_JSON("webflux-json", Behaviour.WEBFLUX, Placement.SPLIT,
            "threads=2 connections=64 warmup_s=1 duration_s=1 path=/json",
            "threads=2 connections=64 warmup_s=4 duration_s=10 path=/json",
            30_000, 120_000, 1e6, false, Metric.WRK),
    /**
     * {@code GET /sse?count=M} on N keep-alive connections at once, each stream read whole and
     * checked (SseLoad). Shared, not split: the load takes 0.4–0.8 of a CPU reading and checking
     * every event (2026-12-08), so on one CPU of its own it would be the limit.
     */
    WEBFLUX_SSE("webflux-sse", Behaviour.WEBFLUX, Placement.SHARED,
            "clients=16 events=1000 warmup_s=1 duration_s=1",
            "clients=32 events=2000 warmup_s=4 duration_s=10",
            30_000, 120_000, 1e6, false, List.of(
                    new Metric("rate", "events/s ↑"),
                    new Metric("p99_us", "stream of M events p99 µs ↓"),
                    new Metric("cpu", "server CPU µs/event ↓"),
                    new Metric("err_stream", "streams not answered right"))),
    /** ws-echo against the WebFlux application's {@code WebSocketHandler} at {@code /ws}. */
    WEBFLUX_WS_ECHO("webflux-ws-echo", Behaviour.WEBFLUX, Placement.PINNED,
            "connections=16 size=64 round_trips=5000 warmup=2000",
            "connections=16 size=64 round_trips=200000 warmup=50000",
            30_000, 120_000, 1e6, false, WS_ECHO.metrics),
    /**
     * ab without -k on {@code GET /hello}: a connection per request, as http-close. Split: ab is
     * one single-threaded process, so on CPU 0 alone it is not the limit, and the server's thread
     * count no longer buys it CPU time from the load.
     */
    WEBFLUX_CLOSE("webflux-close", Behaviour.WEBFLUX, Placement.SPLIT,
            "concurrency=32 warmup_requests=1000 duration_s=1 min_requests=2000 path=/hello",
            "concurrency=32 warmup_requests=20000 duration_s=10 min_requests=10000 path=/hello",
            30_000, 120_000, 1e6, false, Metric.AB),
    /**
     * The runner's clock from the server JVM's start to the port accepting, the server's CPU and
     * memory once it is up (heap after two full GCs, RSS after them), then the load's first
     * requests on the cold server, each answer checked (WebfluxCheckLoad).
     */
    WEBFLUX_STARTUP("webflux-startup", Behaviour.WEBFLUX, Placement.SHARED, "", "",
            30_000, 60_000, 0, false, List.of(
                    new Metric("startup_ms", "ms from JVM start to port accepting ↓"),
                    new Metric("startup_cpu_s", "server CPU s until accepting ↓"),
                    new Metric("idle_heap_mib", "heap MiB after startup + GC ↓"),
                    new Metric("idle_rss_mib", "RSS MiB after startup + GC ↓"),
                    new Metric("first_ms", "first GET /hello on the cold server, ms ↓"),
                    new Metric("err_response", "wrong answers")));

    /** One table row: a key of the run's values and how the row is labelled. */
    record Metric(String key, String label) {
        /** The rows of a wrk run on keep-alive connections. */
        static final List<Metric> WRK = List.of(
                new Metric("rate", "requests/s ↑"),
                new Metric("p99_us", "p99 µs (wrk) ↓"),
                new Metric("cpu", "server CPU µs/request ↓"),
                new Metric("err_non2xx", "non-2xx responses"),
                new Metric("err_socket", "socket errors"));
        /** The rows of an ab run without keep-alive. */
        static final List<Metric> AB = List.of(
                new Metric("rate", "requests/s ↑"),
                new Metric("p99_us", "p99 µs (ab, whole ms) ↓"),
                new Metric("cpu", "server CPU µs/request ↓"),
                new Metric("err_failed", "failed requests"),
                new Metric("err_non2xx", "non-2xx responses"));

        /** The rows of a fresh-JVM bulk scenario. */
        static final List<Metric> FRESH_BULK = List.of(
                new Metric("mib_s", "MiB/s ↑"),
                new Metric("cpu", "server CPU s/GiB ↓"),
                new Metric("cpu_jit", "of which JIT compiler threads s/GiB"),
                new Metric("faults", "server minor page faults per MiB ↓"));

        /** The rows of the UDP echo scenarios: server CPU per datagram echoed. */
        static List<Metric> datagrams() {
            return List.of(
                    new Metric("rate", "datagrams echoed/s ↑"),
                    new Metric("cpu", "server CPU µs/datagram ↓"),
                    new Metric("err_lost", "datagrams lost (not echoed within 200 ms)"),
                    new Metric("err_wrong", "echoes that were not a datagram in flight"));
        }

        /** The rows of tls-hello and tls-resume: an exchange is one connection and so one handshake. */
        static List<Metric> handshakes(String rate) {
            return List.of(
                    new Metric("rate", rate),
                    new Metric("p50_us", "connect+handshake+exchange+close p50 µs ↓"),
                    new Metric("p99_us", "connect+handshake+exchange+close p99 µs ↓"),
                    new Metric("cpu", "server CPU µs/handshake ↓"),
                    new Metric("cpu_jit", "of which JIT compiler threads µs/handshake"),
                    new Metric("resumed", "share of handshakes resumed (client saw no certificate)"),
                    new Metric("err_connect", "connect errors"),
                    new Metric("err_other", "other errors (handshake, exchange)"));
        }
    }

    /**
     * Where the server and the load run. The load is on the same two CPUs as the server, so when
     * both share them the scheduler divides the CPUs among their runnable threads: a server with
     * more threads than CPUs (Reactor Netty's default is at least four event loops) takes time
     * from the load and posts a higher rate than a server with one thread per CPU doing the
     * same work at the same cost. SPLIT removes that: the load on CPU 0, the server on the rest.
     */
    enum Placement {
        /** Both anywhere: the scenarios whose figure is the server's CPU per unit, or whose load is light. */
        SHARED,
        /** Both on CPU 0: single-connection latency, one CPU passing the turn to the other. */
        PINNED,
        /** The load on CPU 0, the server on CPUs 1..n-1: a CPU-bound server under a multi-threaded load. */
        SPLIT
    }

    final String id;
    final Behaviour behaviour;
    final Placement placement;
    /** Both processes on CPU 0. */
    final boolean pinned;
    private final String quickArgs;
    private final String fullArgs;
    private final long quickDeadlineMs;
    private final long fullDeadlineMs;
    /** Multiplies CPU seconds per unit: 1e6 for µs per exchange, 1 for s per GiB, 0 for none. */
    final double cpuScale;
    final List<Metric> metrics;
    /** No warm-up and no wait for the JIT: the window is the first bytes a fresh server JVM handles. */
    final boolean fresh;
    /** Server and load speak TLS 1.3 with the run's key (see {@link TlsFiles}). */
    final boolean tls;

    Scenario(String id, Behaviour behaviour, Placement placement, String quickArgs, String fullArgs,
             long quickDeadlineMs, long fullDeadlineMs, double cpuScale, boolean fresh, List<Metric> metrics) {
        this(id, behaviour, placement, quickArgs, fullArgs, quickDeadlineMs, fullDeadlineMs, cpuScale, fresh, false,
                metrics);
    }

    Scenario(String id, Behaviour behaviour, Placement placement, String quickArgs, String fullArgs,
             long quickDeadlineMs, long fullDeadlineMs, double cpuScale, boolean fresh, boolean tls,
             List<Metric> metrics) {
        this.id = id;
        this.behaviour = behaviour;
        this.placement = placement;
        this.pinned = placement == Placement.PINNED;
        this.quickArgs = quickArgs;
        this.fullArgs = fullArgs;
        this.quickDeadlineMs = quickDeadlineMs;
        this.fullDeadlineMs = fullDeadlineMs;
        this.cpuScale = cpuScale;
        this.metrics = metrics;
        this.fresh = fresh;
        this.tls = tls;
    }

    /** The load's own name for what it runs: a fresh variant runs the same load without warm-up. */
    String loadId() {
        return fresh ? id.substring(0, id.length() - "-fresh".length()) : id;
    }

    List<String> loadArgs(boolean quick) {
        String args = quick ? quickArgs : fullArgs;
        return args.isEmpty() ? List.of() : List.of(args.split(" "));
    }

    /** Whether this runs the WebFlux application (benchmarks-spring): only the webflux- contenders run it. */
    boolean isWebflux() {
        return behaviour == Behaviour.WEBFLUX;
    }

    /** What runs when --scenarios is not given: every scenario but the webflux- ones, which need benchmarks-spring. */
    static List<Scenario> defaults() {
        return java.util.Arrays.stream(values()).filter(s -> !s.isWebflux()).toList();
    }

    /** How long the load may run before it halts itself; the runner waits a little longer. */
    long deadlineMs(boolean quick) {
        return quick ? quickDeadlineMs : fullDeadlineMs;
    }

    /** The default first port: below the ephemeral range (32768-60999 here). */
    static final int PORT_BASE = 20000;
    /** Ports per scenario: room for every plain contender. */
    static final int PORT_STRIDE = 16;

    /**
     * Fixed, one per scenario and contender: {@code base + 16 × scenario + contender}, where a
     * webflux- scenario numbers only the contenders that run it (the WebFlux servers) from 0.
     */
    int port(int base, Contender c) {
        int index = c.isWebflux() ? c.ordinal() - Contender.WEBFLUX_FLOWSOCK.ordinal() : c.ordinal();
        return base + PORT_STRIDE * ordinal() + index;
    }

    static Scenario parse(String id) {
        for (Scenario s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario " + id);
    }
}
