package io.flowsock.benchmarks.spring;

import io.flowsock.benchmarks.Protocol;
import io.flowsock.benchmarks.server.ServerCommands;
import io.flowsock.benchmarks.spring.app.BenchApp;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A webflux- contender's server JVM: {@link BenchApp} started by Spring Boot on whichever server
 * the class path holds, then the runner's commands ({@link ServerCommands}).
 *
 * <pre>
 * java -cp &lt;webflux-flowsock.classpath or webflux-reactor-netty.classpath&gt;:&lt;this module's classes&gt; \
 *      io.flowsock.benchmarks.spring.WebfluxServerMain &lt;contender&gt; &lt;port&gt;
 *   contender: webflux-flowsock | webflux-flowsock-uring | webflux-reactor-netty
 * </pre>
 *
 * Refuses to start when the class path holds the other contender's server too, or lacks its own:
 * the two must differ in the server only. Prints {@code READY server=<name> webServer=<class>}
 * plus, for Reactor Netty, the channel it bound ({@code channel=EpollServerSocketChannel}) and for
 * flowsock its transport, once Boot's {@code run} returned: the context is refreshed and the server
 * bound. The properties are Boot's defaults but the address and port, and a quiet log: stdout is
 * the runner's channel.
 */
public final class WebfluxServerMain {
    static final String FLOWSOCK = "webflux-flowsock";
    static final String REACTOR_NETTY = "webflux-reactor-netty";
    /** flowsock on its io_uring backend: the flowsock class path plus transport-uring, on JDK 22+. */
    static final String FLOWSOCK_URING = "webflux-flowsock-uring";
    private static final String FLOWSOCK_SERVER = "io.flowsock.http.HttpServer";
    private static final String REACTOR_NETTY_SERVER = "reactor.netty.http.server.HttpServer";

    private WebfluxServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !List.of(FLOWSOCK, FLOWSOCK_URING, REACTOR_NETTY).contains(args[0])) {
            System.err.println("usage: WebfluxServerMain <" + FLOWSOCK + "|" + FLOWSOCK_URING + "|" + REACTOR_NETTY + "> <port>");
            System.exit(2);
        }
        boolean flowsock = !args[0].equals(REACTOR_NETTY);
        int port = Integer.parseInt(args[1]);
        requireServers(flowsock ? FLOWSOCK_SERVER : REACTOR_NETTY_SERVER, flowsock ? REACTOR_NETTY_SERVER : FLOWSOCK_SERVER);
        SpringApplication app = new SpringApplication(BenchApp.class);
        app.setDefaultProperties(Map.of(
                "server.port", Integer.toString(port),
                "server.address", Protocol.HOST,
                "spring.main.banner-mode", "off",
                "logging.level.root", "WARN"));
        if (!flowsock) {
            app.addInitializers(ReactorNettyChannel::register);
        }
        ConfigurableApplicationContext context = app.run();
        WebServer web = ((WebServerApplicationContext) context).getWebServer();
        String detail = "server=" + (flowsock ? "flowsock" : "reactor-netty") + " webServer=" + web.getClass().getSimpleName()
                + " port=" + web.getPort() + " " + (flowsock ? FlowsockTransport.describe() : ReactorNettyChannel.describe());
        ServerCommands.ready(detail);
        try {
            ServerCommands.obey(() -> -1);   // no scenario here counts connections
        } finally {
            context.close();
        }
        System.exit(0);
    }

    /** Fails unless {@code mine} is on the class path and {@code theirs} is not. */
    static void requireServers(String mine, String theirs) {
        if (!present(mine)) {
            throw new IllegalStateException(mine + " is not on the class path: wrong class path for this contender");
        }
        if (present(theirs)) {
            throw new IllegalStateException(theirs + " is on the class path too: the contenders must differ in the server only");
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, WebfluxServerMain.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
