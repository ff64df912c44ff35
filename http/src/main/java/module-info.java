/**
 * flowsock's HTTP/1.1 server on its TcpServer and client on its TcpClient; both parse with Jetty's HttpParser.
 */
// Reactor's jars are automatic modules; their types are part of this API through io.flowsock.reactive
@SuppressWarnings("requires-transitive-automatic")
module io.flowsock.http {
    requires transitive io.flowsock.reactive;
    requires org.eclipse.jetty.http;

    exports io.flowsock.http;
}
