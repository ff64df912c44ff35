package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.server.HttpRoutes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * ws-idle-memory: http-idle-memory for WebSockets. First {@code warmup} connections upgrade to
 * {@value HttpRoutes#WS_PATH}, echo one message and close, so the server's upgrade and WebSocket
 * paths are loaded and compiled; then {@link IdleHold} with {@code connections} upgraded
 * connections, each exchange a 64-byte message echoed.
 */
final class WebSocketIdleLoad {
    private static final int SIZE = 64;

    private WebSocketIdleLoad() {
    }

    static Metrics run(InetSocketAddress server, Params p) throws Exception {
        int connections = p.integer("connections");
        long warm = p.num("warmup");
        long otherErrors = 0;
        for (long i = 0; i < warm; i++) {
            try (WebSocketEchoLoad.Frame f = open(server, (int) i)) {
                otherErrors += echo(f, 0);
            }
        }
        Thread.sleep(200);   // the warm connections' closes reach the server before its memory is read
        return IdleHold.run("ws-idle-memory", connections, otherErrors, id -> open(server, id), WebSocketIdleLoad::echo);
    }

    private static WebSocketEchoLoad.Frame open(InetSocketAddress server, int id) throws IOException {
        SocketChannel ch = SocketChannel.open(server);
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            WebSocketEchoLoad.handshake(ch);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new WebSocketEchoLoad.Frame(ch, id, SIZE);
    }

    /** 0 when message {@code seq} came back as sent, else 1 (and an error line). */
    private static int echo(WebSocketEchoLoad.Frame f, int seq) {
        try {
            f.prepare(seq);
            while (f.out.hasRemaining()) {
                f.ch.write(f.out);
            }
            f.in.clear();
            while (f.in.hasRemaining()) {
                if (f.ch.read(f.in) < 0) {
                    throw new IOException("the server closed the WebSocket");
                }
            }
            f.check();
            return 0;
        } catch (IOException e) {
            Control.error("ws-idle-memory echo: " + e);
            return 1;
        }
    }
}
