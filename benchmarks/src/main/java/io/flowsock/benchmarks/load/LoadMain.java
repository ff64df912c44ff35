package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.FlightRecording;
import io.flowsock.benchmarks.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import jdk.jfr.Recording;

/**
 * The fixed load generator: one JVM per measurement, plain JDK sockets only (and the JDK's
 * SSLSocket for TLS), identical for every contender.
 *
 * <pre>
 * java io.flowsock.benchmarks.load.LoadMain &lt;scenario&gt; &lt;port&gt; deadline_ms=N [key=value ...]
 * </pre>
 *
 * The TLS scenarios take {@code tls_dir=DIR}, where the runner wrote the run's CA (see {@link TlsDialer}).
 * Every scenario is bounded in count and in time; {@code deadline_ms} is the last resort: past
 * it the process prints an error and halts, whatever it was blocked in.
 *
 * <p>With {@code -Dbench.load.jfr=FILE} (the runner's --profile) the load records itself with
 * JFR's "profile" settings from start to result, to show whether it is the limit of a run.
 */
public final class LoadMain {
    private LoadMain() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: LoadMain <scenario> <port> deadline_ms=N [key=value ...]");
            System.exit(2);
        }
        String scenario = args[0];
        InetSocketAddress server = new InetSocketAddress(Protocol.HOST, Integer.parseInt(args[1]));
        Params params = Params.parse(args, 2);
        startDeadline(params.num("deadline_ms"));
        try (Recording recording = record(System.getProperty("bench.load.jfr"))) {
            Metrics result = switch (scenario) {
                case "hello" -> HelloLoad.run(server, params);
                case "storm" -> StormLoad.run(server, params);
                case "stream" -> StreamLoad.run(server, params);
                case "echo-stream" -> EchoStreamLoad.run(server, params);
                case "pingpong" -> PingPongLoad.run(server, params);
                case "pingpong16" -> PingPong16Load.run(server, params);
                case "idle" -> IdleLoad.run(server, params);
                case "tls-stream" -> TlsDialer.stream(server, params);
                case "tls-hello" -> TlsDialer.hello(server, params, false);
                case "tls-resume" -> TlsDialer.hello(server, params, true);
                case "http-keepalive", "http-pipelined", "http-close", "webflux-hello", "webflux-json", "webflux-close" ->
                        HttpToolLoad.run(scenario, server, params);
                case "webflux-sse" -> SseLoad.run(server, params);
                case "webflux-startup" -> WebfluxCheckLoad.run(server);
                case "http-upload" -> HttpUploadLoad.run(server, params);
                case "ws-echo", "ws-echo-deflate", "webflux-ws-echo" -> WebSocketEchoLoad.run(server, params);
                case "http-idle-memory" -> HttpIdleLoad.run(server, params);
                case "ws-idle-memory" -> WebSocketIdleLoad.run(server, params);
                case "udp-echo-64" -> UdpEchoLoad.run(server, params, 64);
                case "udp-echo-1400" -> UdpEchoLoad.run(server, params, 1400);
                default -> throw new IllegalArgumentException("unknown scenario: " + scenario);
            };
            if (recording != null) {
                recording.stop();   // writes the file before the result lets the runner move on
            }
            Control.result(result);
        } catch (Exception e) {
            Control.error(scenario + " failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** A started recording to {@code file}; null without one (try-with-resources skips a null). */
    private static Recording record(String file) throws IOException {
        return file == null ? null : FlightRecording.start(Path.of(file));
    }

    private static void startDeadline(long millis) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            Control.error("load deadline of " + millis + " ms passed");
            Runtime.getRuntime().halt(3);
        }, "load-deadline");
        t.setDaemon(true);
        t.start();
    }
}
