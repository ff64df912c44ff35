/**
 * Spring's reactive {@code HttpHandler} (WebFlux) served by flowsock's HTTP/1.1 server, WebClient's
 * connector on its HTTP client, and Spring Messaging's {@code TcpOperations} on its TCP client.
 */
// Spring's and Reactor's jars are automatic modules; their types are part of this API
@SuppressWarnings("requires-transitive-automatic")
module io.flowsock.spring {
    requires transitive io.flowsock.http;
    requires transitive spring.web;
    requires transitive spring.core;

    // optional, and not transitive: a module that reads this one compiles without spring-messaging
    // (javac wants a transitive one present even when static). One that uses FlowsockTcpClient
    // requires spring.messaging itself, as it uses its types (TcpOperations, TcpMessageCodec) anyway
    requires static spring.messaging;
    // WebFlux's WebSocket types, for applications that have spring-webflux
    requires static spring.webflux;

    exports io.flowsock.spring;
    exports io.flowsock.spring.messaging;
}
