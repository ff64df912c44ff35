package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.server.HttpRoutes;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * http-idle-memory: first {@code warmup_requests} {@code GET /hello} over a few connections,
 * closed again, so the classes and compiled code of serving a request are in the server before it
 * is measured; then {@link IdleHold} with {@code connections} keep-alive connections, each
 * exchange a {@code GET /hello}.
 */
final class HttpIdleLoad {
    private static final int WARM_CONNECTIONS = 4;

    private HttpIdleLoad() {
    }

    static Metrics run(InetSocketAddress server, Params p) throws Exception {
        int connections = p.integer("connections");
        long warm = p.num("warmup_requests");
        long otherErrors = 0;
        for (int i = 0; i < WARM_CONNECTIONS; i++) {
            try (HttpConnection c = new HttpConnection(server)) {
                for (long r = 0; r < warm / WARM_CONNECTIONS; r++) {
                    otherErrors += hello(c);
                }
            }
        }
        Thread.sleep(200);   // the warm connections' closes reach the server before its memory is read
        return IdleHold.run("http-idle-memory", connections, otherErrors, id -> new HttpConnection(server),
                (c, round) -> hello(c));
    }

    /** 0 when {@code GET /hello} was answered 200 "Hello, World!", else 1 (and an error line). */
    private static int hello(HttpConnection c) {
        try {
            HttpConnection.Response r = c.get(HttpRoutes.HELLO_PATH);
            if (r.status() == 200 && r.body().equals(HttpRoutes.HELLO)) {
                return 0;
            }
            Control.error("GET /hello answered " + r);
        } catch (IOException e) {
            Control.error("GET /hello: " + e);
        }
        return 1;
    }
}
