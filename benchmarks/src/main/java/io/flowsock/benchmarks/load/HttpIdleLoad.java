package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.server.HttpRoutes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * http-idle-memory: first {@code warmup_requests} {@code GET /hello} over a few connections,
 * closed again, so the classes and compiled code of serving a request are in the server before it
 * is measured; then MARK before (the runner reads the server's heap after GC and its RSS),
 * {@code connections} keep-alive connections with one {@code GET /hello} answered on each, MARK
 * held (the runner waits until the server holds them all, then reads again), a second request on
 * every connection to prove none was lost, and close.
 */
final class HttpIdleLoad {
    private static final int WARM_CONNECTIONS = 4;

    private HttpIdleLoad() {
    }

    static Metrics run(InetSocketAddress server, Params p) throws IOException, InterruptedException {
        int connections = p.integer("connections");
        long warm = p.num("warmup_requests");
        long connectErrors = 0;
        long otherErrors = 0;
        for (int i = 0; i < WARM_CONNECTIONS; i++) {
            try (HttpConnection c = new HttpConnection(server)) {
                for (long r = 0; r < warm / WARM_CONNECTIONS; r++) {
                    otherErrors += hello(c);
                }
            }
        }
        Thread.sleep(200);   // the warm connections' closes reach the server before its memory is read
        List<HttpConnection> held = new ArrayList<>(connections);
        try {
            Control.mark("before");
            for (int i = 0; i < connections; i++) {
                HttpConnection c;
                try {
                    c = new HttpConnection(server);
                } catch (IOException e) {
                    connectErrors++;
                    Control.error("http-idle-memory connect: " + e);
                    continue;
                }
                held.add(c);
                otherErrors += hello(c);
            }
            Control.mark("held " + held.size());
            for (HttpConnection c : held) {
                otherErrors += hello(c);
            }
        } finally {
            for (HttpConnection c : held) {
                c.close();
            }
        }
        return new Metrics()
                .put("connections", held.size())
                .put("err_connect", connectErrors)
                .put("err_other", otherErrors);
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
