package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import java.net.InetSocketAddress;

/**
 * The fixed load generator: one JVM per measurement, plain JDK sockets only, identical for every
 * contender.
 *
 * <pre>
 * java io.flowsock.benchmarks.load.LoadMain &lt;scenario&gt; &lt;port&gt; deadline_ms=N [key=value ...]
 * </pre>
 *
 * Every scenario is bounded in count and in time; {@code deadline_ms} is the last resort: past
 * it the process prints an error and halts, whatever it was blocked in.
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
        try {
            Metrics result = switch (scenario) {
                case "hello" -> HelloLoad.run(server, params);
                case "storm" -> StormLoad.run(server, params);
                case "stream" -> StreamLoad.run(server, params);
                case "echo-stream" -> EchoStreamLoad.run(server, params);
                case "pingpong" -> PingPongLoad.run(server, params);
                case "pingpong16" -> PingPong16Load.run(server, params);
                case "idle" -> IdleLoad.run(server, params);
                default -> throw new IllegalArgumentException("unknown scenario: " + scenario);
            };
            Control.result(result);
        } catch (Exception e) {
            Control.error(scenario + " failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
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
