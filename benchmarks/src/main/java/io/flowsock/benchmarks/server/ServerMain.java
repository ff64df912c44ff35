package io.flowsock.benchmarks.server;

import io.flowsock.benchmarks.TlsFiles;
import java.nio.file.Path;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * One contender's server in its own JVM, so that the runner can read its CPU time and memory
 * from /proc without counting the load generator.
 *
 * <pre>
 * java io.flowsock.benchmarks.server.ServerMain &lt;contender&gt; &lt;behaviour&gt; &lt;port&gt; [tls=DIR]
 *   contender: flowsock | flowsock-uring | flowsock-taps-off | reactor-netty-epoll | reactor-netty-uring | reactor-netty-nio | jdk-nio2
 *   behaviour: hello | greet | discard | echo | http | udp-echo (tls= is not for http or udp-echo)
 *   tls=DIR:   speak TLS 1.3 with the key the runner wrote into DIR (not jdk-nio2)
 * </pre>
 *
 * Prints {@code READY <detail>} once bound, then obeys stdin as {@link ServerCommands} says;
 * {@code quit} or end of input stops the server.
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && !(args.length == 4 && args[3].startsWith("tls="))) {
            System.err.println("usage: ServerMain <contender> <behaviour> <port> [tls=DIR]");
            System.exit(2);
        }
        Behaviour behaviour = Behaviour.parse(args[1]);
        int port = Integer.parseInt(args[2]);
        Path tls = args.length == 4 ? Path.of(args[3].substring("tls=".length())) : null;
        KeyManagerFactory keys = tls == null ? null : TlsFiles.keyManagers(tls);
        SSLContext context = tls == null ? null : TlsFiles.serverContext(tls);
        BenchServer server = behaviour == Behaviour.HTTP ? HttpRoutes.start(args[0], port)
                : behaviour == Behaviour.UDP_ECHO ? UdpEchoServers.start(args[0], port) : switch (args[0]) {
            // the backend: flowsock.transport
            case "flowsock", "flowsock-uring" -> FlowsockServer.start(behaviour, port, context, false);
            case "flowsock-taps-off" -> FlowsockServer.start(behaviour, port, context, true);
            case "reactor-netty-epoll" -> ReactorNettyServer.start(behaviour, port, ReactorNettyServer.Native.EPOLL, keys);
            case "reactor-netty-uring" -> ReactorNettyServer.start(behaviour, port, ReactorNettyServer.Native.IO_URING, keys);
            case "reactor-netty-nio" -> ReactorNettyServer.start(behaviour, port, ReactorNettyServer.Native.NONE, keys);
            case "jdk-nio2" -> {
                if (tls != null) {
                    throw new IllegalArgumentException("jdk-nio2 speaks no TLS");
                }
                yield JdkNio2Server.start(behaviour, port);
            }
            default -> throw new IllegalArgumentException("unknown contender: " + args[0]);
        };
        ServerCommands.ready(server.describe());
        try {
            ServerCommands.obey(server::connections);
        } finally {
            server.close();
        }
        System.exit(0);   // the contenders' threads may be non-daemon; the runner waits for this exit
    }
}
