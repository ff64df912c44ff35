package io.flowsock.benchmarks.server;

/** What a server does with each connection; every contender implements all of them alike. */
public enum Behaviour {
    /** Reply "hello back" once the 5 bytes "hello" arrived; finish when the client's FIN arrives. */
    HELLO,
    /** Send one greeting byte to each new connection, then hold it until the client's FIN. */
    GREET,
    /** Read and drop everything until the client's FIN. */
    DISCARD,
    /** Send back every byte; finish when the client's FIN arrives and everything is written. */
    ECHO,
    /** HTTP/1.1: {@code GET /hello} and {@code POST /upload}, as {@link HttpRoutes} says; no raw TCP handler. */
    HTTP,
    /** UDP: send every datagram back to its sender, as {@link UdpEchoServers} says; no TCP listener. */
    UDP_ECHO,
    /** The WebFlux application of benchmarks-spring ({@code /hello}, {@code /json}, {@code /sse}); its own server JVM. */
    WEBFLUX;

    /** The name used on command lines: the enum name in lower case. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    public static Behaviour parse(String id) {
        return valueOf(id.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
}
