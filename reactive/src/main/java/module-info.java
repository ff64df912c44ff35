/**
 * flowsock's Reactor API: TcpServer, TcpClient, Connection, framing and string operators.
 */
module io.flowsock.reactive {
    requires transitive io.flowsock.core;
    requires transitive reactor.core;
    requires transitive org.reactivestreams;
    requires java.logging;

    exports io.flowsock.reactive;
}
