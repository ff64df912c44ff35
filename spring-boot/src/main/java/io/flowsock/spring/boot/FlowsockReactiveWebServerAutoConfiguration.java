package io.flowsock.spring.boot;

import io.flowsock.spring.FlowsockRequestUpgradeStrategy;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.boot.web.server.autoconfigure.reactive.ReactiveWebServerConfiguration;
import org.springframework.boot.web.server.reactive.ReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;

/**
 * Makes flowsock the reactive web server of a Spring Boot application that has flowsock-http on
 * its class path and not Reactor Netty's server (leave {@code spring-boot-starter-reactor-netty}
 * out of {@code spring-boot-starter-webflux}). With both present Reactor Netty's auto-configuration
 * keeps the server; a {@link ReactiveWebServerFactory} bean of the application's own wins over
 * either.
 *
 * <p>The factory gets the {@code flowsock.*} properties, {@code server.server-header},
 * {@code server.max-http-request-header-size} and every {@link FlowsockServerCustomizer} bean in
 * order; Boot's own customizer sets port, address, ssl and shutdown.
 *
 * <p>With spring-webflux present, WebFlux's WebSocket handshake runs on flowsock: a
 * {@link FlowsockRequestUpgradeStrategy} bean (an application's own wins, e.g. one with a larger
 * {@code WebSocketSpec.maxMessageSize}) behind a {@code HandshakeWebSocketService} that a
 * {@link WebFluxConfigurer} gives WebFlux's {@code WebSocketHandlerAdapter}. Without it Spring would
 * look for Tomcat, Jetty or Reactor Netty and fail the first handshake.
 */
@AutoConfiguration
@ConditionalOnClass(name = {"org.springframework.http.ReactiveHttpInputMessage", "io.flowsock.http.HttpServer"})
@ConditionalOnMissingClass("reactor.netty.http.server.HttpServer")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableConfigurationProperties({FlowsockServerProperties.class, ServerProperties.class})
@Import(ReactiveWebServerConfiguration.class)
public class FlowsockReactiveWebServerAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean(ReactiveWebServerFactory.class)
    FlowsockReactiveWebServerFactory flowsockReactiveWebServerFactory(FlowsockServerProperties flowsock,
            ServerProperties server, ObjectProvider<FlowsockServerCustomizer> customizers) {
        FlowsockReactiveWebServerFactory factory = new FlowsockReactiveWebServerFactory();
        factory.setBacklog(flowsock.getBacklog());
        factory.setSendCap(flowsock.getSendcap());
        factory.setRecvBurst(flowsock.getRecvburst());
        factory.setFirstByteTimeout(flowsock.getFirstByteTimeout());
        // Boot's own customizer sets port, address, ssl, shutdown; these two each server applies itself
        if (server.getServerHeader() != null) {
            factory.setServerHeader(server.getServerHeader());
        }
        if (server.getMaxHttpRequestHeaderSize() != null) {
            factory.setMaxHeaderSize(Math.toIntExact(server.getMaxHttpRequestHeaderSize().toBytes()));
        }
        customizers.orderedStream().forEach(factory::addServerCustomizers);
        return factory;
    }

    /** WebFlux's WebSocket support on flowsock's upgrade. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService")
    static class WebSocketConfiguration {
        @Bean
        @ConditionalOnMissingBean
        FlowsockRequestUpgradeStrategy flowsockRequestUpgradeStrategy() {
            return new FlowsockRequestUpgradeStrategy();
        }

        @Bean
        WebFluxConfigurer flowsockWebSocketService(FlowsockRequestUpgradeStrategy strategy) {
            return new WebFluxConfigurer() {
                @Override
                public WebSocketService getWebSocketService() {
                    return new HandshakeWebSocketService(strategy);
                }
            };
        }
    }
}
