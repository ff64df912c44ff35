/**
 * Spring Boot's reactive web server on flowsock: the server factory, its web server and the
 * auto-configuration that picks it when Reactor Netty's server is absent.
 */
// Spring's jars are automatic modules; their types are part of this API
@SuppressWarnings("requires-transitive-automatic")
module io.flowsock.spring.boot {
    requires transitive io.flowsock.spring;
    requires transitive spring.boot;
    requires transitive spring.boot.web.server;
    requires transitive spring.boot.autoconfigure;
    requires spring.beans;
    requires transitive spring.context;
    // WebFlux's WebSocket configuration, where spring-webflux is present
    requires static spring.webflux;

    exports io.flowsock.spring.boot;
    // the auto-configuration and the properties are created and bound by reflection
    opens io.flowsock.spring.boot;
}
