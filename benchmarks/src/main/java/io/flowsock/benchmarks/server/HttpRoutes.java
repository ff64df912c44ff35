package io.flowsock.benchmarks.server;

import java.nio.charset.StandardCharsets;

/**
 * What every HTTP contender serves, the same two routes on flowsock's {@code HttpServer} and on
 * Reactor Netty's: {@code GET /hello} answers {@value #HELLO} as text/plain with Content-Length;
 * {@code POST /upload} reads the body, drops it, and answers its byte count in decimal. Anything
 * else is 404. {@code GET /ws} upgrades to a WebSocket that sends every message back as it came,
 * in the same frame type; {@code GET /ws-deflate} too, agreeing to permessage-deflate. Each server dispatches with a plain switch on the path, no router, so that neither
 * pays for matching the other does not.
 */
public final class HttpRoutes {
    public static final String HELLO_PATH = "/hello";
    public static final String UPLOAD_PATH = "/upload";
    /** A WebSocket that echoes every message as it came (ws-echo). */
    public static final String WS_PATH = "/ws";
    /** The same echo with permessage-deflate agreed when offered (ws-echo-deflate); a path of its own, so ws-echo pays nothing for it. */
    public static final String WS_DEFLATE_PATH = "/ws-deflate";
    public static final String HELLO = "Hello, World!";
    public static final int HELLO_LENGTH = HELLO.getBytes(StandardCharsets.US_ASCII).length;
    public static final String TEXT_PLAIN = "text/plain";

    private HttpRoutes() {
    }

    /** The contender's HTTP server on {@code port}: flowsock's on the backend flowsock.transport names, or Reactor Netty's. */
    static BenchServer start(String contender, int port) {
        return switch (contender) {
            case "flowsock", "flowsock-uring" -> FlowsockHttpServer.start(port);
            case "reactor-netty-epoll" -> ReactorNettyHttpServer.start(port, ReactorNettyServer.Native.EPOLL);
            case "reactor-netty-uring" -> ReactorNettyHttpServer.start(port, ReactorNettyServer.Native.IO_URING);
            case "reactor-netty-nio" -> ReactorNettyHttpServer.start(port, ReactorNettyServer.Native.NONE);
            default -> throw new IllegalArgumentException("contender " + contender + " has no HTTP server");
        };
    }
}
