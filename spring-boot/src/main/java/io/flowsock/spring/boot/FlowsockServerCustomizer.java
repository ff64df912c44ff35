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
 *
 * <p><b>Threading.</b> Called on the thread that starts the application context, once per server
 * the factory builds; {@code HttpServer} is immutable, so return the changed copy.
 *
 * <p><b>Lifecycle.</b> What it returns is bound when Boot starts the web server; the handler set
 * after it is the application's, so a customizer's own {@code handle(...)} is replaced.
 */
@FunctionalInterface
public interface FlowsockServerCustomizer extends Function<HttpServer, HttpServer> {
    @Override
    HttpServer apply(HttpServer server);
}
