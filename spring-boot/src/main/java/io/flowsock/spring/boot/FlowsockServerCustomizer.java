package io.flowsock.spring.boot;

import io.flowsock.http.HttpServer;
import java.util.function.Function;

/**
 * Changes the {@link HttpServer} a {@link FlowsockReactiveWebServerFactory} builds, before its
 * handler is set: a bean of this type is applied by the auto-configuration, in order.
 *
 * <pre>{@code
 * @Bean
 * FlowsockServerCustomizer ftpdLike() {
 *     return server -> server.tcp(tcp -> tcp.sendCap(20).recvBurst(20)).maxBodySize(1 << 20);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface FlowsockServerCustomizer extends Function<HttpServer, HttpServer> {
    @Override
    HttpServer apply(HttpServer server);
}
