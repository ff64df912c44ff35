package io.flowsock.benchmarks;

import io.flowsock.benchmarks.load.LoadMain;
import io.flowsock.benchmarks.server.ServerMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link Run}: starts the contender's server JVM, waits for READY, starts the load JVM,
 * answers its MARK lines by sampling the server (CPU ticks, heap, RSS), collects RESULT, checks
 * that the server survived, and kills both in every case.
 */
final class Measurement {
    /** The same for every contender: the heap never limits a run, G1 as on any server JVM. */
    static final List<String> SERVER_JVM = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError");
    static final List<String> LOAD_JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC");
    /**
     * Reactor Netty on the JDK 22+: Netty 4.2 leaves sun.misc.Unsafe (and with it its eager
     * freeing of direct buffers) off on Java 24+ unless memory access is allowed, which costs it
     * speed; a user tuning for speed allows it, so the baseline does too.
     */
    static final List<String> NETTY_NEW_JDK = List.of("--sun-misc-unsafe-memory-access=allow",
            "--enable-native-access=ALL-UNNAMED");

    /** Full mode: the longest wait at MARK begin for the server's JIT to finish compiling the warm-up. */
    static final long JIT_SETTLE_MS = 10_000;

    private final Settings settings;

    Measurement(Settings settings) {
        this.settings = settings;
    }

    /** How a run is set up, the same for all of them. */
    /** {@code tlsDir}: where {@link TlsFiles} wrote the run's key and trust, when a TLS scenario runs. */
    record Settings(boolean quick, String javaBin, String classpath, int clockTicks, Path logDir, boolean verifyCpu,
                    int portBase, Optional<Profile.Settings> profile, Optional<Path> tlsDir) {
    }

    Run run(Scenario scenario, Contender contender, int round) {
        Run run = new Run(scenario, contender, round);
        long started = System.nanoTime();
        String tag = scenario.id + "-" + contender.id + "-r" + round;
        int port = scenario.port(settings.portBase(), contender);
        Child server = null;
        Child load = null;
        Optional<Profile> profile = Optional.empty();
        try {
            if (ProcStats.tcpSockets(port).stream().anyMatch(t -> t.state().equals(ProcStats.LISTEN))) {
                // flowsock binds with SO_REUSEPORT: a second listener would share our connections silently
                run.harnessFault("port " + port + " already has a listener (another benchmark run on this machine?);"
                        + " pick other ports with --port-base");
                return run;
            }
            List<String> serverJvm = settings.profile().map(Profile::serverJvm).orElse(List.of());
            List<String> serverArgs = new ArrayList<>(contender.isWebflux() ? WebfluxRuntime.args(contender, port)
                    : List.of(contender.server, scenario.behaviour.id(), Integer.toString(port)));
            Optional<Path> tls = scenario.tls ? settings.tlsDir() : Optional.empty();
            tls.ifPresent(dir -> serverArgs.add("tls=" + dir));
            long startNanos = System.nanoTime();
            server = Child.start(contender.id, java(scenario.placement, contender, serverJvm,
                    contender.isWebflux() ? WebfluxRuntime.MAIN : ServerMain.class.getName(), serverArgs),
                    settings.logDir().resolve(tag + "-server.log"));
            if (scenario == Scenario.WEBFLUX_STARTUP) {
                startup(run, server, port, startNanos);
            }
            String ready = server.await(Protocol.READY, 60_000);
            if (ready == null) {
                run.fail("server did not start: " + lastWords(server));
                return run;
            }
            if (!ready.contains(contender.mustSay)) {
                run.fail("server runs on the wrong transport: " + ready);
                return run;
            }
            if (scenario == Scenario.WEBFLUX_STARTUP) {
                idleMemory(run, server);
            }
            Child s = server;
            profile = settings.profile().map(p -> new Profile(p, tag, s));
            if (profile.isPresent()) {
                profile.get().beforeWarmUp();
            }
            List<String> args = new ArrayList<>(List.of(scenario.loadId(), Integer.toString(port),
                    "deadline_ms=" + scenario.deadlineMs(settings.quick())));
            args.addAll(scenario.loadArgs(settings.quick()));
            tls.ifPresent(dir -> args.add("tls_dir=" + dir));
            List<String> loadJvm = settings.profile().map(p -> Profile.loadJvm(p, tag)).orElse(List.of());
            load = Child.start("load", java(scenario.placement, null, loadJvm, LoadMain.class.getName(), args),
                    settings.logDir().resolve(tag + "-load.log"));
            converse(run, server, load, profile);
            Integer exit = load.waitFor(10_000);
            if (exit == null || exit != 0) {
                run.fail("load exited with " + exit + ": " + lastWords(load));
            }
            if (!server.isAlive()) {
                run.fail("server crashed (exit " + server.waitFor(0) + "): " + lastWords(server));
            }
        } catch (IOException | RuntimeException e) {
            run.fail("run failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.fail("interrupted");
        } finally {
            profile.ifPresent(Profile::close);
            if (load != null) {
                load.close();
            }
            if (server != null) {
                server.close();
            }
            reportProfile(run, profile);
            run.seconds = (System.nanoTime() - started) / 1e9;
        }
        return run;
    }

    private static void reportProfile(Run run, Optional<Profile> profile) {
        try {
            if (profile.isPresent()) {
                profile.get().afterServerExit(run);
            }
        } catch (IOException | RuntimeException e) {
            run.problems.add("no profile summary: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the load's lines until it ends or its time is up, answering each MARK. */
    private void converse(Run run, Child server, Child load, Optional<Profile> profile)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                run.scenario.deadlineMs(settings.quick()) + 15_000);
        CpuWindow cpu = new CpuWindow(server, settings.clockTicks(), settings.verifyCpu(),
                settings.quick() || run.scenario.fresh ? 0 : JIT_SETTLE_MS);
        ListenQueue listen = new ListenQueue();
        LoadCpu loadCpu = new LoadCpu(load, settings.clockTicks());
        long heapBefore = -1;
        long rssBefore = -1;
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            String line = load.nextLine(left);
            if (line == null) {
                if (!load.ended()) {
                    run.fail("load still running after its deadline");
                }
                break;
            }
            String[] words = line.split(" ");
            switch (words[0]) {
                case Protocol.MARK -> {
                    String answer = Protocol.GO;
                    try {
                        switch (words[1]) {
                            case "warm" -> answer = cpu.warmAgain() ? Protocol.AGAIN : Protocol.GO;
                            case "begin" -> {
                                listen.begin();
                                if (profile.isPresent()) {
                                    profile.get().beforeWindow();
                                }
                                cpu.begin();
                                loadCpu.begin();
                                if (profile.isPresent()) {
                                    profile.get().windowOpened();
                                }
                            }
                            case "end" -> {
                                if (profile.isPresent()) {
                                    profile.get().windowClosing();
                                }
                                loadCpu.end();
                                cpu.end();
                                listen.end();
                                if (profile.isPresent()) {
                                    profile.get().afterWindow();
                                }
                            }
                            case "before" -> {
                                heapBefore = heap(server);
                                rssBefore = ProcStats.rssBytes(server.pid());
                            }
                            case "held" -> held(run, server, Integer.parseInt(words[2]), heapBefore, rssBefore);
                            default -> throw new IOException("unknown mark: " + line);
                        }
                    } catch (IOException | UncheckedIOException e) {
                        // most likely the server died: let the load finish and report what it saw
                        run.fail("cannot sample the server at MARK " + words[1] + ": " + e.getMessage());
                    }
                    load.send(answer);
                }
                case Protocol.RESULT -> run.values.putAll(Protocol.values(line.substring(Protocol.RESULT.length() + 1)));
                case Protocol.ERROR -> run.problems.add(line.substring(Protocol.ERROR.length() + 1));
                case Protocol.TLS -> run.negotiated = line.substring(Protocol.TLS.length() + 1);
                default -> run.problems.add("load said: " + line);
            }
        }
        Double units = run.values.get("cpu_units");
        if (units != null && units > 0 && cpu.complete() && run.scenario.cpuScale > 0) {
            cpu.putInto(run, units, run.scenario.cpuScale);
            if (run.scenario.fresh) {
                run.values.put("faults", run.values.get("page_faults") / (units * 1024));   // units are GiB
            }
        }
        if (run.scenario == Scenario.STORM) {
            listen.putInto(run);
        }
        loadCpu.putInto(run);
        if (profile.isPresent()) {
            profile.get().putInto(run);
        }
    }

    /**
     * The load JVM's CPU time over the timed phase and the phase's wall time, {@code load_cpu_s}
     * and {@code window_s}: a load near one core per connection thread is the limit of the run,
     * whoever the server is.
     */
    private static final class LoadCpu {
        private final Child load;
        private final int clockTicks;
        private ProcStats.CpuTicks begin;
        private long beginNanos;
        private double cpuSeconds = Double.NaN;
        private double wallSeconds = Double.NaN;

        LoadCpu(Child load, int clockTicks) {
            this.load = load;
            this.clockTicks = clockTicks;
        }

        void begin() {
            begin = ProcStats.cpu(load.pid());
            beginNanos = System.nanoTime();
        }

        void end() {
            if (begin != null) {
                wallSeconds = (System.nanoTime() - beginNanos) / 1e9;
                cpuSeconds = ProcStats.cpu(load.pid()).minus(begin).total() / (double) clockTicks;
            }
        }

        void putInto(Run run) {
            if (!Double.isNaN(cpuSeconds)) {
                run.values.put("load_cpu_s", cpuSeconds);
                run.values.put("window_s", wallSeconds);
            }
        }
    }

    /**
     * The kernel's TcpExt ListenOverflows and ListenDrops over the timed phase (what {@code nstat -az
     * TcpExtListenOverflows TcpExtListenDrops} shows), read from /proc/net/netstat. The counters
     * are the network namespace's: another program's listener on this machine counts too.
     */
    private static final class ListenQueue {
        private long overflows = -1;
        private long drops = -1;
        private long overflowsDelta = -1;
        private long dropsDelta = -1;

        void begin() {
            overflows = ProcStats.tcpExt("ListenOverflows");
            drops = ProcStats.tcpExt("ListenDrops");
        }

        void end() {
            long overflowsNow = ProcStats.tcpExt("ListenOverflows");
            long dropsNow = ProcStats.tcpExt("ListenDrops");
            if (overflows >= 0 && drops >= 0 && overflowsNow >= 0 && dropsNow >= 0) {
                overflowsDelta = overflowsNow - overflows;
                dropsDelta = dropsNow - drops;
            }
        }

        void putInto(Run run) {
            if (overflowsDelta >= 0) {
                run.values.put("listen_overflows", (double) overflowsDelta);
                run.values.put("listen_drops", (double) dropsDelta);
            }
        }
    }

    /**
     * webflux-startup: the time from the JVM's start to the port accepting, and the server's CPU
     * time at that moment ({@link Startup}); a server that never accepts fails the run.
     */
    private void startup(Run run, Child server, int port, long startNanos) throws InterruptedException {
        long up = Startup.awaitAccepting(server, port, startNanos, 60_000);
        if (up < 0) {
            run.fail("port " + port + " never accepted: " + lastWords(server));
            return;
        }
        run.values.put("startup_ms", up / 1e6);
        run.values.put("startup_cpu_s", ProcStats.cpu(server.pid()).total() / (double) settings.clockTicks());
    }

    /** webflux-startup: the server's used heap after two full GCs, and its RSS right after them, before any request. */
    private static void idleMemory(Run run, Child server) throws IOException, InterruptedException {
        long heap = heap(server);
        long rss = ProcStats.rssBytes(server.pid());
        run.values.put("idle_heap_mib", heap / (1024.0 * 1024.0));
        run.values.put("idle_rss_mib", rss / (1024.0 * 1024.0));
    }

    /** idle: waits until the server holds every connection the load opened, then reads memory. */
    private static void held(Run run, Child server, int connections, long heapBefore, long rssBefore)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int open = -1;
        while (System.nanoTime() < deadline) {
            server.send(Protocol.CMD_CONNS);
            String reply = server.await(Protocol.CONNS, 10_000);
            open = reply == null ? -1 : Integer.parseInt(reply.trim());
            if (open >= connections) {
                break;
            }
            Thread.sleep(50);
        }
        if (open < connections) {
            run.fail("server holds " + open + " of " + connections + " idle connections");
        }
        long heap = heap(server);
        long rss = ProcStats.rssBytes(server.pid());
        int n = Math.max(connections, 1);
        run.values.put("heap_per_conn", (heap - heapBefore) / (double) n);
        run.values.put("rss_per_conn", (rss - rssBefore) / (double) n);
        run.values.put("heap_mib", heap / (1024.0 * 1024.0));
        run.values.put("rss_mib", rss / (1024.0 * 1024.0));
    }

    private static long heap(Child server) throws IOException, InterruptedException {
        server.send(Protocol.CMD_HEAP);
        String reply = server.await(Protocol.HEAP, 30_000);
        if (reply == null) {
            throw new IOException("server did not report its heap: " + lastWords(server));
        }
        return Long.parseLong(reply.trim());
    }

    /**
     * The CPUs a child runs on, as taskset's list, or null for any. The load's tools (wrk, ab,
     * h2load) are its children and inherit its CPUs.
     */
    static String cpus(Scenario.Placement placement, boolean server) {
        int n = Runtime.getRuntime().availableProcessors();
        return switch (placement) {
            case SHARED -> null;
            case PINNED -> "0";
            case SPLIT -> n < 2 ? null : !server ? "0" : n == 2 ? "1" : "1-" + (n - 1);
        };
    }

    /** A child JVM's command: {@code server} is the contender whose server it runs, or null for the load. */
    private List<String> java(Scenario.Placement placement, Contender server, List<String> extraJvm, String main,
                              List<String> args) {
        List<String> cmd = new ArrayList<>();
        String cpus = cpus(placement, server != null);
        if (cpus != null) {
            cmd.addAll(List.of("taskset", "-c", cpus));   // taskset execs java: the pid stays the JVM's
        }
        boolean uring = server != null && server.isUring();
        List<String> flags = new ArrayList<>(server == null ? LOAD_JVM : uring ? UringRuntime.serverJvm(SERVER_JVM) : SERVER_JVM);
        if (server != null && server.newJdk && !server.isFlowsock()) {
            flags.addAll(NETTY_NEW_JDK);
        }
        if (server != null && server.transport != null) {
            flags.add("-Dflowsock.transport=" + server.transport);
        }
        flags.addAll(extraJvm);
        if (server != null) {
            // e.g. -Dbench.server.jvm="-XX:StartFlightRecording=filename=server.jfr" to profile a server
            String extra = System.getProperty("bench.server.jvm", "").trim();
            if (!extra.isEmpty()) {
                flags.addAll(List.of(extra.split("\\s+")));
            }
        }
        String classpath = server != null && server.isWebflux() ? WebfluxRuntime.classpath(server)
                : uring ? UringRuntime.classpath(settings.classpath())
                : server != null && server.isNettyUring() ? NettyUring.classpath(settings.classpath())
                : settings.classpath();
        boolean newJdk = server != null && server.newJdk;
        cmd.addAll(Child.java(newJdk ? UringRuntime.java().toString() : settings.javaBin(), classpath, flags, main, args));
        return cmd;
    }

    private static String lastWords(Child child) {
        return "see " + child.log() + "\n" + child.logTail(15).indent(4);
    }
}
