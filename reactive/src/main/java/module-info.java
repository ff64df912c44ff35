/**
 * flowsock's Reactor API: TcpServer, TcpClient, Connection, framing and string operators.
 */
// Reactor's and Reactive Streams' jars are automatic modules; their types are part of this API
@SuppressWarnings("requires-transitive-automatic")
module io.flowsock.reactive {
    requires transitive io.flowsock.core;
    requires transitive reactor.core;
    requires transitive org.reactivestreams;
    requires transitive java.logging;            // wiretap levels are java.util.logging.Level, as in Flux.log
    requires static transitive micrometer.core;   // metrics(MeterRegistry) only: flowsock runs without it

    exports io.flowsock.reactive;
}
