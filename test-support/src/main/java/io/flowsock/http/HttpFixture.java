package io.flowsock.http;

import io.flowsock.reactive.DisposableServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;

/**
 * What the HTTP suites share: {@link io.flowsock.reactive.LoopbackFixture}'s fresh transport per
 * test and disposal after it, with HTTP servers bound on that transport over loopback.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class HttpFixture extends io.flowsock.reactive.LoopbackFixture {
    HttpServer server() {
        return HttpServer.create().host("127.0.0.1").port(0).tcp(t -> t.transport(transport));
    }

    DisposableServer bind(HttpServer s) {
        DisposableServer d = s.bindNow(Duration.ofSeconds(10));
        servers.add(d);
        return d;
    }

    DisposableServer bind(BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {
        return bind(server().handle(handler));
    }

    static final String GET_HELLO = "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n";

    static Publisher<Void> hello(HttpServerRequest req, HttpServerResponse res) {
        return res.sendString("Hello, World!");
    }

}
