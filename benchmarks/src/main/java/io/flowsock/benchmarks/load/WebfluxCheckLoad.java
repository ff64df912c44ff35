package io.flowsock.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * webflux-startup's load: the first requests a server JVM that has just started gets, on one
 * connection, each answer checked: {@code GET /hello} (its time from request to answer is
 * {@code first_ms}, the cold path: the classes and code of serving a request are loaded and run
 * for the first time), {@code GET /json} and {@code GET /sse?count=3}. The runner has timed the
 * start and read the memory before this runs.
 */
final class WebfluxCheckLoad {
    static final String HELLO = "Hello, World!";
    static final String JSON = "{\"message\":\"Hello, World!\"}";

    private WebfluxCheckLoad() {
    }

    static Metrics run(InetSocketAddress server) throws IOException {
        long wrong = 0;
        double firstMs;
        try (HttpConnection c = new HttpConnection(server)) {
            long t0 = System.nanoTime();
            HttpConnection.Response hello = c.get("/hello");
            firstMs = (System.nanoTime() - t0) / 1e6;
            wrong += check("/hello", hello, HELLO);
            wrong += check("/json", c.get("/json"), JSON);
            wrong += check("/sse?count=3", c.get("/sse?count=3"), SseLoad.stream(3));
        }
        return new Metrics()
                .put("first_ms", firstMs)
                .put("err_response", wrong);
    }

    private static int check(String path, HttpConnection.Response r, String body) {
        if (r.status() == 200 && r.body().equals(body)) {
            return 0;
        }
        Control.error("GET " + path + " answered " + r.status() + " \"" + r.body() + "\", not 200 \"" + body + "\"");
        return 1;
    }
}
