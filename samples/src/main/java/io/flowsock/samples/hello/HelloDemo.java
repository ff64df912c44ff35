package io.flowsock.samples.hello;

import io.flowsock.reactive.DisposableServer;
import io.flowsock.reactive.TcpClient;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The README's main demo and the seed's benchmark: hello / hello back with a new connection per
 * exchange and the client doing the graceful close, server and client in one JVM.
 *
 * <p>What it shows: how many complete exchanges (connect, request, reply, FIN both ways, close)
 * flowsock does per second over loopback, and that none of them fail: a connect error means the
 * accept side or the local ports could not keep up, any other error a broken exchange.
 *
 * <p>The port is fixed (7010 unless {@code --port} says otherwise) rather than 0: every exchange
 * leaves a client socket in TIME_WAIT, and after some hundred thousand of them asking the kernel
 * for "any free port" can fail to bind.
 *
 * <pre>
 * ./mvnw -q -o -pl samples exec:java                         (10 s, 32 loops, port 7010)
 * java io.flowsock.samples.hello.HelloDemo --seconds 10 --concurrency 32 --port 7010
 * </pre>
 */
public final class HelloDemo {
    private HelloDemo() {
    }

    /** What to run: how long, how many loops at once, which loopback port. */
    public record Options(int seconds, int concurrency, int port) {
        public static final Options DEFAULTS = new Options(10, 32, HelloServer.DEFAULT_PORT);

        public Options {
            if (seconds < 1) {
                throw new IllegalArgumentException("seconds must be >= 1, was " + seconds);
            }
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            }
        }

        /** Parses {@code --seconds N --concurrency N --port N}, each optional. */
        public static Options parse(String... args) {
            Options o = DEFAULTS;
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                int v = Integer.parseInt(args[i + 1]);
                o = switch (args[i]) {
                    case "--seconds" -> new Options(v, o.concurrency, o.port);
                    case "--concurrency" -> new Options(o.seconds, v, o.port);
                    case "--port" -> new Options(o.seconds, o.concurrency, v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; use --seconds N --concurrency N --port N");
                };
            }
            return o;
        }
    }

    /** Starts the server, runs the load, disposes the server; prints progress to {@code out}. */
    public static HelloResult run(Options options, PrintStream out) {
        DisposableServer server = HelloServer.start("127.0.0.1", options.port());
        try {
            out.printf("hello server on %s; %d client loops for %d s, a new connection per exchange%n",
                    server.address(), options.concurrency(), options.seconds());
            TcpClient client = TcpClient.create().host("127.0.0.1").port(server.port());
            HelloLoad load = new HelloLoad(client, options.concurrency(), Duration.ofSeconds(options.seconds()));
            return ProgressReport.run(load, out);
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    public static void main(String[] args) {
        HelloResult result = run(Options.parse(args), System.out);
        // exec:java runs main inside Maven's JVM, and the exit status is the demo's verdict.
        System.exit(result.exchanges() > 0 && result.connectErrors() + result.otherErrors() == 0 ? 0 : 1);
    }
}
