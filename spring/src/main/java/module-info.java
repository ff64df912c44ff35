/**
 * Spring's reactive {@code HttpHandler} (WebFlux) served by flowsock's HTTP/1.1 server.
 */
// Spring's and Reactor's jars are automatic modules; their types are part of this API
@SuppressWarnings("requires-transitive-automatic")
module io.flowsock.spring {
    requires transitive io.flowsock.http;
    requires transitive spring.web;
    requires transitive spring.core;

    exports io.flowsock.spring;
}
