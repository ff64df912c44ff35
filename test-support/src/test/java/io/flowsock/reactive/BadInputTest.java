package io.flowsock.reactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.BindException;
import io.flowsock.core.Capabilities;
import io.flowsock.core.Channel;
import io.flowsock.core.Tls;
import io.flowsock.core.TlsKeys;
import io.flowsock.core.ChannelOptions;
import io.flowsock.core.CompletionPort;
import io.flowsock.core.ConnectException;
import io.flowsock.core.ListenOptions;
import io.flowsock.core.Listener;
import io.flowsock.core.Send;
import io.flowsock.core.SendSource;
import io.flowsock.core.Timer;
import io.flowsock.core.Transport;
import io.flowsock.core.Tunable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Every public method and constructor of the reactive API and the core API that takes an argument,
 * called with null, zero, negative and out-of-range values: each is refused in the call with an
 * exception whose message names the argument and the value (a {@code NullPointerException}'s
 * message is the argument's name). What only the platform can judge, an unresolvable host, fails
 * the bind or connect Mono naming the host.
 *
 * <p>{@link #everyPublicMethodTakingArgumentsIsCovered()} lists the public API by reflection, so a
 * method added without a case here fails the build until it gets one.
 */
class BadInputTest {
    private static final Duration NEGATIVE = Duration.ofSeconds(-1);
    private static final Set<String> EXERCISED = ConcurrentHashMap.newKeySet();
    private static final Flux<ByteBuffer> IN = Flux.empty();

    private Transport transport;
    private DisposableServer server;
    private Connection conn;

    @BeforeEach
    void connect() {
        transport = Transport.nio2(1);
        server = TcpServer.create().host("127.0.0.1").port(0).transport(transport).bindNow();
        conn = TcpClient.create().host("127.0.0.1").port(server.port()).transport(transport).connectNow();
    }

    @AfterEach
    void close() {
        Loopback.close(conn, server);
        transport.close();
    }

    // ------------------------------------------------------------------ http

    @Test
    void httpServerAndHeadersRefuseBadArgumentsNamingThem() {
        io.flowsock.http.HttpServer h = io.flowsock.http.HttpServer.create();
        npe("HttpServer.host(String)", () -> h.host(null), "host");
        iae("HttpServer.port(int)", () -> h.port(-1), "port must be in 0..65535, was -1");
        npe("HttpServer.handle(BiFunction)", () -> h.handle(null), "handler");
        npe("HttpServer.secure(Tls)", () -> h.secure(null), "tls");
        npe("HttpServer.tcp(UnaryOperator)", () -> h.tcp(null), "configure");
        npe("HttpServer.bindNow(Duration)", () -> h.bindNow(null), "timeout");
        iae("HttpServer.bindNow(Duration)", () -> h.bindNow(NEGATIVE), "timeout must be positive, was PT-1S");
        npe("HttpServer.idleTimeout(Duration)", () -> h.idleTimeout(null), "idleTimeout");
        iae("HttpServer.idleTimeout(Duration)", () -> h.idleTimeout(Duration.ZERO),
                "idleTimeout must be positive, was PT0S");
        iae("HttpServer.requestHeaderTimeout(Duration)", () -> h.requestHeaderTimeout(NEGATIVE),
                "requestHeaderTimeout must be positive, was PT-1S");
        iae("HttpServer.maxBodySize(long)", () -> h.maxBodySize(-1), "maxBodySize must be >= 0, was -1");
        iae("HttpServer.maxHeaderSize(int)", () -> h.maxHeaderSize(10), "maxHeaderSize must be >= 64, was 10");
        iae("HttpServer.maxHeaders(int)", () -> h.maxHeaders(0), "maxHeaders must be >= 1, was 0");
        iae("HttpServer.maxRequestLineLength(int)", () -> h.maxRequestLineLength(1),
                "maxRequestLineLength must be >= 16, was 1");
        iae("HttpServer.maxRequestsPerConnection(int)", () -> h.maxRequestsPerConnection(-1),
                "maxRequestsPerConnection must be >= 0, was -1");
        npe("HttpServer.compress(HttpCompression)", () -> h.compress(null), "compression");
        iae("HttpCompression.new(int, Set, int)", () -> new io.flowsock.http.HttpCompression(-1, Set.of("text/plain"), 6),
                "minResponseSize must be >= 0, was -1");
        npe("HttpCompression.new(int, Set, int)", () -> new io.flowsock.http.HttpCompression(0, null, 6), "mimeTypes");
        iae("HttpCompression.new(int, Set, int)", () -> new io.flowsock.http.HttpCompression(0, Set.of(), 6),
                "mimeTypes must name at least one media type");
        iae("HttpCompression.new(int, Set, int)", () -> new io.flowsock.http.HttpCompression(0, Set.of("text/plain"), 10),
                "level must be 1..9, was 10");

        io.flowsock.http.HttpHeaders headers = new io.flowsock.http.HttpHeaders();
        npe("HttpHeaders.add(String, Object)", () -> headers.add(null, "v"), "name");
        iae("HttpHeaders.add(String, Object)", () -> headers.add("a b", "v"),
                "header name \"a b\" holds ' ' at 1, which is not a token character (RFC 9110, 5.6.2)");
        npe("HttpHeaders.set(String, Object)", () -> headers.set("X-A", null), "value of header X-A");
        iae("HttpHeaders.set(String, Object)", () -> headers.set("X-A", "a\nb"),
                "value of header X-A holds '\\u000a' at 1: CR, LF, NUL and characters above U+00FF cannot be sent in a header");
        npe("HttpHeaders.get(String)", () -> headers.get(null), "name");
        npe("HttpHeaders.getAll(String)", () -> headers.getAll(null), "name");
        npe("HttpHeaders.contains(String)", () -> headers.contains(null), "name");
        npe("HttpHeaders.containsToken(String, String)", () -> headers.containsToken(null, "close"), "name");
        npe("HttpHeaders.containsToken(String, String)", () -> headers.containsToken("Connection", null), "token");
        npe("HttpHeaders.remove(String)", () -> headers.remove(null), "name");
        npe("HttpHeaders.forEach(BiConsumer)", () -> headers.forEach(null), "action");
    }

    @Test
    void httpClientAndItsRequestsRefuseBadArgumentsNamingThem() {
        io.flowsock.http.HttpClient c = io.flowsock.http.HttpClient.create();
        try {
            npe("HttpClient.baseUrl(String)", () -> c.baseUrl(null), "baseUrl");
            iae("HttpClient.baseUrl(String)", () -> c.baseUrl("ftp://x"),
                    "baseUrl must be an http:// or https:// URI with a host, was ftp://x");
            npe("HttpClient.connectTimeout(Duration)", () -> c.connectTimeout(null), "connectTimeout");
            iae("HttpClient.connectTimeout(Duration)", () -> c.connectTimeout(NEGATIVE),
                    "connectTimeout must be >= 0, was PT-1S");
            npe("HttpClient.headers(Consumer)", () -> c.headers(null), "defaults");
            iae("HttpClient.idleTimeout(Duration)", () -> c.idleTimeout(NEGATIVE), "idleTimeout must be >= 0, was PT-1S");
            iae("HttpClient.maxConnections(int)", () -> c.maxConnections(0), "maxConnections must be >= 1, was 0");
            iae("HttpClient.maxLifetime(Duration)", () -> c.maxLifetime(NEGATIVE), "maxLifetime must be >= 0, was PT-1S");
            iae("HttpClient.pendingAcquireMax(int)", () -> c.pendingAcquireMax(-1),
                    "pendingAcquireMax must be >= 0, was -1");
            npe("HttpClient.pendingAcquireTimeout(Duration)", () -> c.pendingAcquireTimeout(null),
                    "pendingAcquireTimeout");
            npe("HttpClient.request(String)", () -> c.request(null), "method");
            iae("HttpClient.request(String)", () -> c.request("GE T"), "method must be an RFC 9110 token, was \"GE T\"");
            iae("HttpClient.responseTimeout(Duration)", () -> c.responseTimeout(NEGATIVE),
                    "responseTimeout must be >= 0, was PT-1S");
            npe("HttpClient.secure(Tls)", () -> c.secure(null), "tls");
            npe("HttpClient.tcp(UnaryOperator)", () -> c.tcp(null), "configure");
            io.flowsock.http.HttpClientRequest r = c.get();
            npe("HttpClientRequest.header(String, Object)", () -> r.header(null, "v"), "name");
            npe("HttpClientRequest.headers(Consumer)", () -> r.headers(null), "change");
            npe("HttpClientRequest.response(BiFunction)", () -> r.response(null), "reader");
            npe("HttpClientRequest.responseSingle(BiFunction)", () -> r.responseSingle(null), "reader");
            npe("HttpClientRequest.send(Publisher)", () -> r.send(null), "body");
            npe("HttpClientRequest.sendString(CharSequence)", () -> r.sendString(null), "text");
            npe("HttpClientRequest.uri(String)", () -> r.uri(null), "uri");
            iae("HttpClientRequest.uri(String)", () -> r.uri("http://[bad"),
                    "uri \"http://[bad\" is not a URI: Expected closing bracket for IPv6 address at index 11");
            io.flowsock.http.HttpClientWebSocket w = c.websocket();
            npe("HttpClientWebSocket.handle(Function)", () -> w.uri("ws://127.0.0.1:1/").handle(null), "fn");
            refused("HttpClientWebSocket.handle(Function)", () -> w.handle(ws -> reactor.core.publisher.Mono.empty()),
                    IllegalStateException.class, "the WebSocket has no URI: call uri(...) first");
            npe("HttpClientWebSocket.header(String, Object)", () -> w.header(null, "v"), "name");
            npe("HttpClientWebSocket.headers(Consumer)", () -> w.headers(null), "change");
            npe("HttpClientWebSocket.spec(WebSocketSpec)", () -> w.spec(null), "spec");
            npe("HttpClientWebSocket.subprotocols(List)", () -> w.subprotocols(null), "offered");
            iae("HttpClientWebSocket.subprotocols(List)", () -> w.subprotocols(List.of("a b")),
                    "a subprotocol must be an HTTP token, was \"a b\"");
            npe("HttpClientWebSocket.uri(String)", () -> w.uri(null), "uri");
            iae("HttpClientWebSocket.uri(String)", () -> w.uri("ftp://example.com/"),
                    "uri must be a ws://, wss://, http:// or https:// URI with a host, was ftp://example.com/");
            iae("HttpClientWebSocket.uri(String)", () -> w.uri("ws://example.com/#top"),
                    "a WebSocket URI has no fragment (RFC 6455, 3), was ws://example.com/#top");
        } finally {
            c.dispose();
        }
    }

    @Test
    void anHttpRequestAndResponseRefuseBadArgumentsNamingThem() throws Exception {
        CompletableFuture<Void> checked = new CompletableFuture<>();
        DisposableServer http = io.flowsock.http.HttpServer.create().host("127.0.0.1").port(0)
                .tcp(t -> t.transport(transport)).handle((req, res) -> {
                    try {
                        npe("HttpServerRequest.header(String)", () -> req.header(null), "name");
                        npe("HttpServerRequest.queryParam(String)", () -> req.queryParam(null), "name");
                        npe("HttpServerRequest.receive(Function)", () -> req.receive(null), "reader");
                        npe("HttpServerResponse.header(String, Object)", () -> res.header(null, "v"), "name");
                        npe("HttpServerResponse.addHeader(String, Object)", () -> res.addHeader("X-A", null),
                                "value of header X-A");
                        iae("HttpServerResponse.status(int)", () -> res.status(99), "status must be in 100..599, was 99");
                        iae("HttpServerResponse.status(int)", () -> res.status(600), "status must be in 100..599, was 600");
                        npe("HttpServerResponse.send(Publisher)", () -> res.send(null), "body");
                        npe("HttpServerResponse.sendString(Publisher)",
                                () -> res.sendString((org.reactivestreams.Publisher<CharSequence>) null), "body");
                        npe("HttpServerResponse.sendString(CharSequence)", () -> res.sendString((CharSequence) null),
                                "body");
                        checked.complete(null);
                    } catch (Throwable e) {
                        checked.completeExceptionally(e);
                    }
                    return res.send();
                }).bindNow(Duration.ofSeconds(10));
        try (io.flowsock.http.RawHttp c = new io.flowsock.http.RawHttp(http.port())) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            checked.get(10, TimeUnit.SECONDS);
        } finally {
            http.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void aWebSocketAndItsTypesRefuseBadArgumentsNamingThem() throws Exception {
        iae("WebSocketSpec.subprotocol(String)", () -> io.flowsock.http.WebSocketSpec.defaults().subprotocol(""),
                "subprotocol must be an HTTP token, was \"\"");
        iae("WebSocketSpec.subprotocol(String)", () -> io.flowsock.http.WebSocketSpec.defaults().subprotocol("a b"),
                "subprotocol must be an HTTP token, was \"a b\"");
        iae("WebSocketSpec.maxMessageSize(int)", () -> io.flowsock.http.WebSocketSpec.defaults().maxMessageSize(0),
                "maxMessageSize must be positive, was 0");
        npe("WebSocketSpec.closeTimeout(Duration)", () -> io.flowsock.http.WebSocketSpec.defaults().closeTimeout(null),
                "closeTimeout");
        iae("WebSocketSpec.closeTimeout(Duration)", () -> io.flowsock.http.WebSocketSpec.defaults().closeTimeout(NEGATIVE),
                "closeTimeout must be positive, was PT-1S");
        iae("WebSocketSpec.new(String, int, Duration)", () -> new io.flowsock.http.WebSocketSpec(null, -1, Duration.ofSeconds(1)),
                "maxMessageSize must be positive, was -1");
        npe("WebSocketSpec.new(String, int, Duration, boolean)",
                () -> new io.flowsock.http.WebSocketSpec(null, 1, null, true), "closeTimeout");
        iae("WebSocketClose.new(int, String)", () -> new io.flowsock.http.WebSocketClose(999, ""),
                "code must be in 1000..4999, was 999");
        npe("WebSocketClose.new(int, String)", () -> new io.flowsock.http.WebSocketClose(1000, null), "reason");
        npe("WebSocketMessage.new(Type, ByteBuffer)", () -> new io.flowsock.http.WebSocketMessage(null, ByteBuffer.allocate(1)),
                "type");
        npe("WebSocketMessage.binary(ByteBuffer)", () -> io.flowsock.http.WebSocketMessage.binary(null), "payload");
        npe("WebSocketMessage.ping(ByteBuffer)", () -> io.flowsock.http.WebSocketMessage.ping(null), "payload");
        iae("WebSocketMessage.ping(ByteBuffer)", () -> io.flowsock.http.WebSocketMessage.ping(ByteBuffer.allocate(126)),
                "a PING payload is at most 125 bytes, was 126");
        npe("WebSocketMessage.text(CharSequence)", () -> io.flowsock.http.WebSocketMessage.text(null), "text");

        CompletableFuture<Void> checked = new CompletableFuture<>();
        DisposableServer http = io.flowsock.http.HttpServer.create().host("127.0.0.1").port(0)
                .tcp(t -> t.transport(transport)).handle((req, res) -> {
                    try {
                        npe("HttpServerResponse.sendWebSocket(Function)", () -> res.sendWebSocket(null), "handler");
                        npe("HttpServerResponse.sendWebSocket(WebSocketSpec, Function)",
                                () -> res.sendWebSocket(null, ws -> ws.close()), "spec");
                    } catch (Throwable e) {
                        checked.completeExceptionally(e);
                    }
                    return res.sendWebSocket(ws -> {
                        try {
                            npe("WebSocket.send(Publisher)", () -> ws.send(null), "messages");
                            npe("WebSocket.sendText(Publisher)", () -> ws.sendText(null), "texts");
                            npe("WebSocket.sendBinary(Publisher)", () -> ws.sendBinary(null), "data");
                            iae("WebSocket.close(int, String)", () -> ws.close(1005, ""),
                                    "a close status must be 1000-1003, 1007-1011 or 3000-4999, was 1005");
                            npe("WebSocket.close(int, String)", () -> ws.close(1000, null), "reason");
                            iae("WebSocket.close(int, String)", () -> ws.close(1000, "x".repeat(124)),
                                    "a close reason is at most 123 bytes of UTF-8, was 124");
                            checked.complete(null);
                        } catch (Throwable e) {
                            checked.completeExceptionally(e);
                        }
                        return ws.close();
                    });
                }).bindNow(Duration.ofSeconds(10));
        try (io.flowsock.http.RawHttp c = new io.flowsock.http.RawHttp(http.port())) {
            c.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            checked.get(10, TimeUnit.SECONDS);
        } finally {
            http.disposeNow(Duration.ofSeconds(5));
        }
    }

    // ------------------------------------------------------------------ reactive: builders

    @Test
    void tcpServerRefusesBadArgumentsNamingThem() {
        TcpServer s = TcpServer.create();
        npe("TcpServer.host(String)", () -> s.host(null), "host");
        iae("TcpServer.host(String)", () -> s.host(" "), "host must not be blank, was \" \"");
        iae("TcpServer.port(int)", () -> s.port(65536), "port must be in 0..65535, was 65536");
        iae("TcpServer.port(int)", () -> s.port(-1), "port must be in 0..65535, was -1");
        iae("TcpServer.backlog(int)", () -> s.backlog(0), "backlog must be >= 1, was 0");
        iae("TcpServer.backlog(int)", () -> s.backlog(-5), "backlog must be >= 1, was -5");
        npe("TcpServer.firstByteTimeout(Duration)", () -> s.firstByteTimeout(null), "firstByteTimeout");
        iae("TcpServer.firstByteTimeout(Duration)", () -> s.firstByteTimeout(NEGATIVE),
                "firstByteTimeout must not be negative, was PT-1S");
        npe("TcpServer.handle(Function)", () -> s.handle(null), "handler");
        npe("TcpServer.doOnConnection(Consumer)", () -> s.doOnConnection(null), "onConnection");
        npe("TcpServer.doOnBound(Consumer)", () -> s.doOnBound(null), "onBound");
        npe("TcpServer.doOnUnbound(Consumer)", () -> s.doOnUnbound(null), "onUnbound");
        npe("TcpServer.doOnDispose(Consumer)", () -> s.doOnDispose(null), "onDispose");
        npe("TcpServer.bindNow(Duration)", () -> s.bindNow(null), "timeout");
        iae("TcpServer.bindNow(Duration)", () -> s.bindNow(Duration.ZERO), "timeout must be positive, was PT0S");
        iae("TcpServer.bindNow(Duration)", () -> s.bindNow(NEGATIVE), "timeout must not be negative, was PT-1S");
    }

    @Test
    void tcpClientRefusesBadArgumentsNamingThem() {
        TcpClient c = TcpClient.create();
        npe("TcpClient.host(String)", () -> c.host(null), "host");
        iae("TcpClient.host(String)", () -> c.host(""), "host must not be blank, was \"\"");
        iae("TcpClient.port(int)", () -> c.port(0), "port must be in 1..65535, was 0");
        iae("TcpClient.port(int)", () -> c.port(-1), "port must be in 1..65535, was -1");
        iae("TcpClient.port(int)", () -> c.port(65536), "port must be in 1..65535, was 65536");
        npe("TcpClient.connectTimeout(Duration)", () -> c.connectTimeout(null), "connectTimeout");
        iae("TcpClient.connectTimeout(Duration)", () -> c.connectTimeout(NEGATIVE),
                "connectTimeout must not be negative, was PT-1S");
        npe("TcpClient.doOnConnected(Consumer)", () -> c.doOnConnected(null), "onConnected");
        npe("TcpClient.connectNow(Duration)", () -> c.port(1).connectNow(null), "timeout");
        iae("TcpClient.connectNow(Duration)", () -> c.port(1).connectNow(Duration.ZERO),
                "timeout must be positive, was PT0S");
    }

    @Test
    void serverAndClientSettingsRefuseBadArgumentsNamingThem() {
        for (TcpSettings<?> s : List.<TcpSettings<?>>of(TcpServer.create(), TcpClient.create())) {
            iae("TcpSettings.sendCap(int)", () -> s.sendCap(0), "sendCap must be >= 1, was 0");
            iae("TcpSettings.recvBurst(int)", () -> s.recvBurst(-1), "recvBurst must be >= 1, was -1");
            npe("TcpSettings.readIdleTimeout(Duration)", () -> s.readIdleTimeout(null), "readIdleTimeout");
            iae("TcpSettings.readIdleTimeout(Duration)", () -> s.readIdleTimeout(NEGATIVE),
                    "readIdleTimeout must not be negative, was PT-1S");
            npe("TcpSettings.writeIdleTimeout(Duration)", () -> s.writeIdleTimeout(null), "writeIdleTimeout");
            iae("TcpSettings.writeIdleTimeout(Duration)", () -> s.writeIdleTimeout(NEGATIVE),
                    "writeIdleTimeout must not be negative, was PT-1S");
            npe("TcpSettings.closeTimeout(Duration)", () -> s.closeTimeout(null), "closeTimeout");
            iae("TcpSettings.closeTimeout(Duration)", () -> s.closeTimeout(NEGATIVE),
                    "closeTimeout must not be negative, was PT-1S");
            npe("TcpSettings.option(SocketOption, Object)", () -> s.option(null, 1), "option");
            npe("TcpSettings.wiretap(String, Level, WiretapFormat)",
                    () -> s.wiretap(null, java.util.logging.Level.FINE, WiretapFormat.TEXT), "category");
            iae("TcpSettings.wiretap(String, Level, WiretapFormat)",
                    () -> s.wiretap(" ", java.util.logging.Level.FINE, WiretapFormat.TEXT),
                    "wiretap category must not be blank");
            npe("TcpSettings.wiretap(String, Level, WiretapFormat)",
                    () -> s.wiretap("x", null, WiretapFormat.TEXT), "level");
            npe("TcpSettings.wiretap(String, Level, WiretapFormat)",
                    () -> s.wiretap("x", java.util.logging.Level.FINE, null), "format");
            iae("TcpSettings.option(SocketOption, Object)", () -> s.option(StandardSocketOptions.TCP_NODELAY, null),
                    "value for TCP_NODELAY must not be null");
            iae("TcpSettings.option(SocketOption, Object)", () -> s.option(StandardSocketOptions.SO_RCVBUF, -1),
                    "SO_RCVBUF must be >= 0, was -1");
            iae("TcpSettings.option(SocketOption, Object)", () -> s.option(rawOption(StandardSocketOptions.SO_RCVBUF),
                    "big"), "value for SO_RCVBUF must be a Integer, was String big");
            assertThatThrownBy(() -> s.option(StandardSocketOptions.SO_LINGER, 5))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("SO_LINGER must be 0 (abortive close) or unset, was 5");
            npe("TcpSettings.transport(Transport)", () -> s.transport(null), "transport");
            npe("TcpSettings.metrics(MeterRegistry)", () -> s.metrics((io.micrometer.core.instrument.MeterRegistry) null),
                    "registry");
        }
    }

    @SuppressWarnings("unchecked")
    private static SocketOption<Object> rawOption(SocketOption<?> option) {
        return (SocketOption<Object>) option;
    }

    @Test
    void anUnresolvableHostFailsTheConnectNamingTheHost() {
        StepVerifier.create(TcpClient.create().host("no-such-host.invalid").port(80).connect())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ConnectException.class)
                        .hasMessageContaining("no-such-host.invalid"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void anUnresolvableHostFailsTheBindNamingTheHost() {
        StepVerifier.create(TcpServer.create().host("no-such-host.invalid").port(0).bind())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BindException.class)
                        .hasMessageContaining("no-such-host.invalid"))
                .verify(Duration.ofSeconds(30));
    }

    // ------------------------------------------------------------------ reactive: live objects, operators

    @Test
    void connectionAndServerRefuseBadArgumentsNamingThem() {
        npe("Connection.inbound(Function)", () -> conn.inbound(null), "reader");
        npe("Connection.send(Publisher)", () -> conn.send(null), "data");
        npe("Connection.sendString(Publisher)", () -> conn.sendString(null), "data");
        iae("Connection.sendCap(int)", () -> conn.sendCap(0), "sendCap must be >= 1, was 0");
        iae("Connection.recvBurst(int)", () -> conn.recvBurst(-1), "recvBurst must be >= 1, was -1");
        iae("DisposableServer.backlog(int)", () -> server.backlog(0), "backlog must be >= 1, was 0");
        npe("DisposableServer.disposeNow(Duration)", () -> server.disposeNow(null), "timeout");
        iae("DisposableServer.disposeNow(Duration)", () -> server.disposeNow(NEGATIVE),
                "timeout must not be negative, was PT-1S");
        assertThat(conn.isDisposed()).as("refused calls leave the connection open").isFalse();
        assertThat(server.isDisposed()).as("refused calls leave the server bound").isFalse();
    }

    @Test
    void framesAndStringsRefuseBadArgumentsNamingThem() {
        npe("Frames.decodeLines(Publisher, int)", () -> Frames.decodeLines(null, 1), "in");
        iae("Frames.decodeLines(Publisher, int)", () -> Frames.decodeLines(IN, 0), "maxLineLength must be >= 1, was 0");
        npe("Frames.encodeLines(Publisher, int)", () -> Frames.encodeLines(null, 1), "in");
        iae("Frames.encodeLines(Publisher, int)", () -> Frames.encodeLines(IN, -1),
                "maxLineLength must be >= 1, was -1");
        npe("Frames.decodeLengthPrefixed(Publisher, int, int)", () -> Frames.decodeLengthPrefixed(null, 4, 1), "in");
        iae("Frames.decodeLengthPrefixed(Publisher, int, int)", () -> Frames.decodeLengthPrefixed(IN, 3, 1),
                "prefixBytes must be 1, 2 or 4, was 3");
        iae("Frames.decodeLengthPrefixed(Publisher, int, int)", () -> Frames.decodeLengthPrefixed(IN, 4, 0),
                "maxFrameLength must be >= 1, was 0");
        npe("Frames.encodeLengthPrefixed(Publisher, int, int)", () -> Frames.encodeLengthPrefixed(null, 4, 1), "in");
        iae("Frames.encodeLengthPrefixed(Publisher, int, int)", () -> Frames.encodeLengthPrefixed(IN, 0, 1),
                "prefixBytes must be 1, 2 or 4, was 0");
        iae("Frames.encodeLengthPrefixed(Publisher, int, int)", () -> Frames.encodeLengthPrefixed(IN, 2, -7),
                "maxFrameLength must be >= 1, was -7");
        npe("Strings.decodeUtf8(Publisher)", () -> Strings.decodeUtf8(null), "in");
        npe("Loan.lend(Function, ByteBuffer, CoreSubscriber, Supplier)",
                () -> Loan.lend(b -> 1, null, reactor.core.publisher.Operators.emptySubscriber(), () -> "the reader"),
                "lent");
        npe("Strings.encodeUtf8(Publisher)", () -> Strings.encodeUtf8(null), "in");
        npe("Strings.lines(Publisher, int)", () -> Strings.lines(null, 1), "in");
        iae("Strings.lines(Publisher, int)", () -> Strings.lines(IN, 0), "maxLineLength must be >= 1, was 0");
    }

    // ------------------------------------------------------------------ TLS specs

    @Test
    void tlsSpecsRefuseBadArgumentsNamingThem() throws Exception {
        SSLContext context = SSLContext.getDefault();
        Tls server = Tls.server(context);
        Tls client = Tls.client(context);
        npe("Tls.server(SSLContext)", () -> Tls.server((SSLContext) null), "context");
        npe("Tls.client(SSLContext)", () -> Tls.client((SSLContext) null), "context");
        npe("Tls.withProtocols(String[])", () -> server.withProtocols((String[]) null), "protocols");
        iae("Tls.withProtocols(String[])", () -> server.withProtocols(), "protocols must name at least one, got none");
        iae("Tls.withProtocols(String[])", () -> client.withProtocols("TLSv1.3", null),
                "protocols[1] must not be null or blank, was null");
        npe("Tls.withAlpn(String[])", () -> server.withAlpn((String[]) null), "alpn");
        iae("Tls.withAlpn(String[])", () -> client.withAlpn(" "), "alpn[0] must not be null or blank, was \" \"");
        npe("Tls.withClientAuth(ClientAuth)", () -> server.withClientAuth(null), "auth");
        iae("Tls.withClientAuth(ClientAuth)", () -> client.withClientAuth(Tls.ClientAuth.REQUIRE),
                "clientAuth is a server setting; this spec is a client's");
        npe("Tls.withServerName(String)", () -> client.withServerName(null), "name");
        iae("Tls.withServerName(String)", () -> server.withServerName("example.org"),
                "serverName is a client setting; this spec is a server's");
        npe("Tls.withHandshakeTimeout(Duration)", () -> client.withHandshakeTimeout(null), "handshakeTimeout");
        iae("Tls.withHandshakeTimeout(Duration)", () -> server.withHandshakeTimeout(NEGATIVE),
                "handshakeTimeout must not be negative, was PT-1S");
        npe("TcpServer.secure(Tls)", () -> TcpServer.create().secure(null), "tls");
        assertThatThrownBy(() -> TcpServer.create().secure(client)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("on a server: use Tls.server(...)");
        EXERCISED.add("TcpServer.secure(Tls)");
        npe("TcpClient.secure(Tls)", () -> TcpClient.create().secure(null), "tls");
        assertThatThrownBy(() -> TcpClient.create().secure(server)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("on a client: use Tls.client(...)");
        assertThatThrownBy(() -> Tls.NONE.withProtocols("TLSv1.3")).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Tls.NONE has no settings");
    }

    @Test
    void tlsKeysAndSniRefuseBadArgumentsNamingThem() {
        TestCertificates ca = TestCertificates.newCa("bad input CA");
        TestCertificates.Identity id = ca.leaf("bad-input");
        PrivateKey key = id.keys().getPrivate();
        TlsKeys keys = TlsKeys.of(key, id.chain());
        Tls server = Tls.server(keys);
        npe("Tls.server(TlsKeys)", () -> Tls.server((TlsKeys) null), "keys");
        npe("Tls.server(Path, Path)", () -> Tls.server(null, Path.of("key.pem")), "certChainPem");
        npe("Tls.server(Path, Path)", () -> Tls.server(Path.of("chain.pem"), null), "privateKeyPem");
        npe("Tls.client(Path)", () -> Tls.client((Path) null), "caPem");
        npe("TlsKeys.fromPem(Path, Path)", () -> TlsKeys.fromPem(null, Path.of("key.pem")), "certChainPem");
        npe("TlsKeys.of(PrivateKey, X509Certificate[])", () -> TlsKeys.of(null, id.chain()), "key");
        npe("TlsKeys.of(PrivateKey, X509Certificate[])", () -> TlsKeys.of(key, (X509Certificate[]) null), "chain");
        iae("TlsKeys.of(PrivateKey, X509Certificate[])", () -> TlsKeys.of(key),
                "chain must hold at least the leaf certificate, got none");
        iae("TlsKeys.of(PrivateKey, X509Certificate[])", () -> TlsKeys.of(key, id.certificate(), null),
                "chain[1] must not be null");
        npe("TlsKeys.replace(PrivateKey, X509Certificate[])", () -> keys.replace(null, id.chain()), "key");
        iae("TlsKeys.replace(PrivateKey, X509Certificate[])", () -> keys.replace(key),
                "chain must hold at least the leaf certificate, got none");
        npe("Tls.withSni(String, TlsKeys)", () -> server.withSni(null, keys), "name");
        npe("Tls.withSni(String, TlsKeys)", () -> server.withSni("a.test", null), "keys");
        iae("Tls.withSni(String, TlsKeys)", () -> server.withSni("a.*.test", keys),
                "sni name must be a host name or *. and a domain (one wildcard label, leftmost), was \"a.*.test\"");
        iae("Tls.withSni(String, TlsKeys)", () -> server.withSni("*.test", keys),
                "sni wildcard must cover a domain of at least two labels, was \"*.test\"");
        iae("Tls.withSni(String, TlsKeys)", () -> Tls.client(ca.trusting()).withSni("a.test", keys),
                "sni is a server setting; this spec is a client's");
        iae("Tls.withSni(String, TlsKeys)", () -> Tls.server(ca.context(id)).withSni("a.test", keys),
                "sni needs a server made from TlsKeys or PEM files: the key of Tls.server(SSLContext) is sealed"
                        + " in its context and cannot be chosen per name");
        assertThatThrownBy(() -> server.withSni("bad name!.test", keys)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("sni name is not a host name: \"bad name!.test\"");
        assertThat(server.withSni("a.test", keys)).as("the receiver is untouched").isNotSameAs(server)
                .hasToString(server + " sni [a.test]");
    }

    @Test
    void clientAuthenticationFromPemRefusesBadArgumentsNamingThem() throws Exception {
        TestCertificates ca = TestCertificates.newCa("bad input CA");
        TestCertificates.Identity id = ca.leaf("bad-input");
        TlsKeys keys = TlsKeys.of(id.keys().getPrivate(), id.chain());
        Tls server = Tls.server(keys);
        Tls client = Tls.client();
        Path chain = Path.of("chain.pem");
        npe("Tls.withTrustedCertificates(Path)", () -> server.withTrustedCertificates(null), "caPem");
        iae("Tls.withTrustedCertificates(Path)", () -> Tls.server(ca.context(id)).withTrustedCertificates(chain),
                "trustedCertificates needs a spec made from PEM files, TlsKeys or Tls.client(): the trust of"
                        + " Tls.server(SSLContext) is sealed in its context; build that context with the trust instead");
        iae("Tls.withTrustedCertificates(Path)", () -> Tls.client(ca.trusting()).withTrustedCertificates(chain),
                "trustedCertificates needs a spec made from PEM files, TlsKeys or Tls.client(): the trust of"
                        + " Tls.client(SSLContext) is sealed in its context; build that context with the trust instead");
        npe("Tls.withKeys(Path, Path)", () -> client.withKeys(null, Path.of("key.pem")), "certChainPem");
        npe("Tls.withKeys(Path, Path)", () -> client.withKeys(chain, null), "privateKeyPem");
        iae("Tls.withKeys(Path, Path)", () -> server.withKeys(chain, Path.of("key.pem")),
                "keys is a client setting (its certificate); a server's keys are given to Tls.server(TlsKeys) and withSni");
        npe("Tls.withKeys(TlsKeys)", () -> client.withKeys((TlsKeys) null), "keys");
        iae("Tls.withKeys(TlsKeys)", () -> server.withKeys(keys),
                "keys is a client setting (its certificate); a server's keys are given to Tls.server(TlsKeys) and withSni");
        iae("Tls.withKeys(TlsKeys)", () -> Tls.client(ca.trusting()).withKeys(keys),
                "keys needs a spec made from PEM files, TlsKeys or Tls.client(): the key of Tls.client(SSLContext)"
                        + " is sealed in its context; build that context with the key instead");
        assertThatThrownBy(() -> Tls.NONE.withKeys(keys)).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Tls.NONE has no settings");
        assertThat(client.withKeys(keys)).as("the receiver is untouched").isNotSameAs(client)
                .hasToString(client + " presenting " + keys);
    }

    // ------------------------------------------------------------------ core: values

    @Test
    void coreValuesRefuseBadArgumentsNamingThem() {
        ChannelOptions o = ChannelOptions.DEFAULTS;
        iae("ChannelOptions.new(int, int, Duration, Duration, Duration, Duration, Map, Tls, ChannelObserver)",
                () -> new ChannelOptions(0, 1, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Map.of(), Tls.NONE, null),
                "sendCap must be >= 1, was 0");
        npe("ChannelOptions.new(int, int, Duration, Duration, Duration, Duration, Map, Tls, ChannelObserver)",
                () -> new ChannelOptions(1, 1, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, null, Tls.NONE, null),
                "socketOptions");
        npe("ChannelOptions.new(int, int, Duration, Duration, Duration, Duration, Map, Tls, ChannelObserver)",
                () -> new ChannelOptions(1, 1, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Map.of(), null, null),
                "tls");
        npe("ChannelOptions.withTls(Tls)", () -> o.withTls(null), "tls");
        // null is no observer, not a mistake: it takes an observer off again
        assertThat(o.withObserver(new io.flowsock.core.ChannelObserver() { }).withObserver(null).observer()).isNull();
        EXERCISED.add("ChannelOptions.withObserver(ChannelObserver)");
        iae("ChannelOptions.withSendCap(int)", () -> o.withSendCap(-1), "sendCap must be >= 1, was -1");
        iae("ChannelOptions.withRecvBurst(int)", () -> o.withRecvBurst(0), "recvBurst must be >= 1, was 0");
        npe("ChannelOptions.withFirstByteTimeout(Duration)", () -> o.withFirstByteTimeout(null), "firstByteTimeout");
        iae("ChannelOptions.withReadIdleTimeout(Duration)", () -> o.withReadIdleTimeout(NEGATIVE),
                "readIdleTimeout must not be negative, was PT-1S");
        iae("ChannelOptions.withWriteIdleTimeout(Duration)", () -> o.withWriteIdleTimeout(NEGATIVE),
                "writeIdleTimeout must not be negative, was PT-1S");
        npe("ChannelOptions.withCloseTimeout(Duration)", () -> o.withCloseTimeout(null), "closeTimeout");
        npe("ChannelOptions.withOption(SocketOption, Object)", () -> o.withOption(null, 1), "option");
        npe("ChannelOptions.checkedOptionValue(SocketOption, Object)",
                () -> ChannelOptions.checkedOptionValue(null, 1), "option");
        iae("ChannelOptions.checkedOptionValue(SocketOption, Object)",
                () -> ChannelOptions.checkedOptionValue(StandardSocketOptions.SO_SNDBUF, -2), "SO_SNDBUF must be >= 0, was -2");

        ListenOptions l = ListenOptions.DEFAULTS;
        iae("ListenOptions.new(int, ChannelOptions, boolean)", () -> new ListenOptions(0, o, false),
                "backlog must be >= 1, was 0");
        npe("ListenOptions.new(int, ChannelOptions, boolean)", () -> new ListenOptions(1, null, false), "child");
        iae("ListenOptions.withBacklog(int)", () -> l.withBacklog(-1), "backlog must be >= 1, was -1");
        npe("ListenOptions.withChild(ChannelOptions)", () -> l.withChild(null), "child");

        iae("Tunable.new(int, int)", () -> new Tunable(0, 0), "cap must be >= 1, was 0");
        iae("Tunable.new(int, int)", () -> new Tunable(1, -1), "inUse must be >= 0, was -1");
        iae("Capabilities.new(int, int)", () -> new Capabilities(0, 3),
                "capabilities must be >= 1, were scatter=0 gather=3");
    }

    @Test
    void timersRefuseBadArgumentsNamingThem() {
        Timer system = Timer.system();
        npe("Timer.schedule(Runnable, long, TimeUnit)", () -> system.schedule(null, 1, TimeUnit.SECONDS), "task");
        npe("Timer.schedule(Runnable, long, TimeUnit)", () -> system.schedule(() -> { }, 1, null), "unit");
        npe("Timer.schedule(Runnable, long, TimeUnit, Executor)",
                () -> system.schedule(null, 1, TimeUnit.SECONDS, Runnable::run), "task");
        npe("Timer.schedule(Runnable, long, TimeUnit, Executor)",
                () -> system.schedule(() -> { }, 1, null, Runnable::run), "unit");
        npe("Timer.schedule(Runnable, long, TimeUnit, Executor)",
                () -> system.schedule(() -> { }, 1, TimeUnit.SECONDS, null), "executor");
    }

    // ------------------------------------------------------------------ core: transports, ports, channels

    @Test
    void transportsRefuseBadArgumentsNamingThem() {
        ThreadFactory threads = Thread::new;
        iae("Transport.nio2(int)", () -> Transport.nio2(0), "ports must be >= 1, was 0");
        iae("Transport.nio2(int)", () -> Transport.nio2(-1), "ports must be >= 1, was -1");
        iae("Transport.nio2(int, ThreadFactory, Timer)", () -> Transport.nio2(0, threads, Timer.system()),
                "ports must be >= 1, was 0");
        npe("Transport.nio2(int, ThreadFactory, Timer)", () -> Transport.nio2(1, null, Timer.system()), "threads");
        npe("Transport.nio2(int, ThreadFactory, Timer)", () -> Transport.nio2(1, threads, null), "timer");
        iae("Transport.selector(int)", () -> Transport.selector(0), "ports must be >= 1, was 0");
        iae("Transport.selector(int, ThreadFactory, Timer)", () -> Transport.selector(0, threads, Timer.system()),
                "ports must be >= 1, was 0");
        npe("Transport.selector(int, ThreadFactory, Timer)", () -> Transport.selector(1, null, Timer.system()),
                "threads");
        npe("Transport.selector(int, ThreadFactory, Timer)", () -> Transport.selector(1, threads, null), "timer");
        npe("Transport.of(String)", () -> Transport.of(null), "backend");
        iae("Transport.of(String)", () -> Transport.of("bogus"), "backend must be one of [auto, nio2, selector], was \"bogus\"");
        iae("Transport.of(String, int)", () -> Transport.of("nio2", 0), "ports must be >= 1, was 0");
        iae("Transport.of(String, int)", () -> Transport.of("uring", 1), "backend must be one of [auto, nio2, selector], was"
                + " \"uring\" (the uring backend is in flowsock-transport-uring, which is not on the class or module path)");
        npe("Transport.of(String, int, ThreadFactory, Timer)", () -> Transport.of("nio2", 1, null, Timer.system()),
                "threads");
        npe("Transport.of(String, int, ThreadFactory, Timer)", () -> Transport.of("nio2", 1, threads, null), "timer");
        iae("Transport.of(String, int, ThreadFactory, Timer)", () -> Transport.of("auto", -1, threads, Timer.system()),
                "ports must be >= 1, was -1");

        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 0);
        npe("Transport.listen(InetSocketAddress, ListenOptions, Consumer)",
                () -> transport.listen(null, ListenOptions.DEFAULTS, ch -> { }), "address");
        npe("Transport.listen(InetSocketAddress, ListenOptions, Consumer)",
                () -> transport.listen(local, null, ch -> { }), "options");
        npe("Transport.listen(InetSocketAddress, ListenOptions, Consumer)",
                () -> transport.listen(local, ListenOptions.DEFAULTS, null), "onAccept");
        iae("Transport.listen(InetSocketAddress, ListenOptions, Consumer)",
                () -> transport.listen(InetSocketAddress.createUnresolved("no-such-host.invalid", 0),
                        ListenOptions.DEFAULTS, ch -> { }),
                "address must be resolved, was no-such-host.invalid/<unresolved>:0");
        InetSocketAddress remote = server.address();
        npe("Transport.connect(InetSocketAddress, ChannelOptions, Duration)",
                () -> transport.connect(null, ChannelOptions.DEFAULTS, Duration.ZERO), "remote");
        iae("Transport.connect(InetSocketAddress, ChannelOptions, Duration)",
                () -> transport.connect(InetSocketAddress.createUnresolved("no-such-host.invalid", 80),
                        ChannelOptions.DEFAULTS, Duration.ZERO),
                "remote must be resolved, was no-such-host.invalid/<unresolved>:80");
        npe("Transport.connect(InetSocketAddress, ChannelOptions, Duration)",
                () -> transport.connect(remote, null, Duration.ZERO), "options");
        npe("Transport.connect(InetSocketAddress, ChannelOptions, Duration)",
                () -> transport.connect(remote, ChannelOptions.DEFAULTS, null), "timeout");
        iae("Transport.connect(InetSocketAddress, ChannelOptions, Duration)",
                () -> transport.connect(remote, ChannelOptions.DEFAULTS, NEGATIVE), "timeout must not be negative, was PT-1S");

        CompletionPort port = transport.ports().get(0);
        npe("CompletionPort.execute(Runnable)", () -> port.execute(null), "task");
        npe("CompletionPort.dispatch(Runnable)", () -> port.dispatch(null), "task");
        npe("CompletionPort.schedule(Runnable, long, TimeUnit)", () -> port.schedule(null, 1, TimeUnit.SECONDS), "task");
        npe("CompletionPort.schedule(Runnable, long, TimeUnit)", () -> port.schedule(() -> { }, 1, null), "unit");
    }

    @Test
    void listenersChannelsAndSendsRefuseBadArgumentsNamingThem() throws Exception {
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), ListenOptions.DEFAULTS,
                Channel::dispose);
        Channel ch = transport.connect(listener.address(), ChannelOptions.DEFAULTS, Duration.ofSeconds(10))
                .get(10, TimeUnit.SECONDS);
        try {
            iae("Listener.backlog(int)", () -> listener.backlog(0), "backlog must be >= 1, was 0");
            npe("Channel.start(ChannelHandler)", () -> ch.start(null), "handler");
            iae("Channel.request(long)", () -> ch.request(0), "n must be >= 1, was 0");
            iae("Channel.request(long)", () -> ch.request(-1), "n must be >= 1, was -1");
            iae("Channel.sendCap(int)", () -> ch.sendCap(0), "sendCap must be >= 1, was 0");
            iae("Channel.recvBurst(int)", () -> ch.recvBurst(0), "recvBurst must be >= 1, was 0");
            npe("Channel.abort(Throwable)", () -> ch.abort(null), "cause");
            npe("Channel.send(SendSource)", () -> ch.send(null), "source");
            CompletableFuture<Send> started = new CompletableFuture<>();
            ch.send(new SendSource() {
                @Override
                public void onStart(Send send) {
                    started.complete(send);
                }

                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }

                @Override
                public void onSent() {
                }

                @Override
                public void onFailed(Throwable error) {
                }
            });
            Send send = started.get(10, TimeUnit.SECONDS);
            npe("Send.offer(ByteBuffer)", () -> send.offer(null), "buffer");
            npe("Send.fail(Throwable)", () -> send.fail(null), "error");
            assertThat(ch.isOpen()).as("refused calls leave the channel open").isTrue();
        } finally {
            ch.dispose();
            ch.onClose().get(10, TimeUnit.SECONDS);
            listener.close();
            listener.onClose().get(10, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ udp

    @Test
    void udpBuildersSocketsAndTheCoreEndpointRefuseBadArgumentsNamingThem() throws Exception {
        UdpServer s = UdpServer.create();
        npe("UdpServer.host(String)", () -> s.host(null), "host");
        iae("UdpServer.port(int)", () -> s.port(-1), "port must be in 0..65535, was -1");
        npe("UdpServer.handle(Function)", () -> s.handle(null), "handler");
        npe("UdpServer.bindNow(Duration)", () -> s.bindNow(null), "timeout");
        iae("UdpServer.bindNow(Duration)", () -> s.bindNow(NEGATIVE), "timeout must not be negative, was PT-1S");
        UdpClient c = UdpClient.create();
        npe("UdpClient.host(String)", () -> c.host(null), "host");
        iae("UdpClient.port(int)", () -> c.port(0), "port must be in 1..65535, was 0");
        npe("UdpClient.handle(Function)", () -> c.handle(null), "handler");
        npe("UdpClient.connectNow(Duration)", () -> c.connectNow(null), "timeout");
        iae("UdpClient.connectNow(Duration)", () -> c.connectNow(Duration.ZERO), "timeout must be positive, was PT0S");
        iae("UdpSettings.sendCap(int)", () -> s.sendCap(0), "sendCap must be >= 1, was 0");
        iae("UdpSettings.recvBurst(int)", () -> c.recvBurst(-1), "recvBurst must be >= 1, was -1");
        iae("UdpSettings.maxDatagramSize(int)", () -> s.maxDatagramSize(65_528),
                "maxDatagramSize must be in 1..65527, was 65528");
        npe("UdpSettings.option(SocketOption, Object)", () -> s.option(null, 1), "option");
        iae("UdpSettings.option(SocketOption, Object)", () -> s.option(StandardSocketOptions.SO_RCVBUF, -1),
                "SO_RCVBUF must be >= 0, was -1");
        npe("UdpSettings.metrics(MeterRegistry)", () -> s.metrics(null), "registry");
        npe("UdpSettings.transport(Transport)", () -> c.transport(null), "transport");

        io.flowsock.core.DatagramOptions o = io.flowsock.core.DatagramOptions.DEFAULTS;
        iae("DatagramOptions.new(int, int, int, Map)", () -> new io.flowsock.core.DatagramOptions(1, 1, 0, Map.of()),
                "maxDatagramSize must be in 1..65527, was 0");
        npe("DatagramOptions.new(int, int, int, Map)", () -> new io.flowsock.core.DatagramOptions(1, 1, 1, null),
                "socketOptions");
        iae("DatagramOptions.withSendCap(int)", () -> o.withSendCap(0), "sendCap must be >= 1, was 0");
        iae("DatagramOptions.withRecvBurst(int)", () -> o.withRecvBurst(0), "recvBurst must be >= 1, was 0");
        iae("DatagramOptions.withMaxDatagramSize(int)", () -> o.withMaxDatagramSize(-1),
                "maxDatagramSize must be in 1..65527, was -1");
        npe("DatagramOptions.withOption(SocketOption, Object)", () -> o.withOption(null, 1), "option");

        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 0);
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.invalid", 9);
        npe("Datagram.new(ByteBuffer, InetSocketAddress)", () -> new io.flowsock.core.Datagram(null, local), "data");
        npe("Datagram.new(ByteBuffer, InetSocketAddress)", () -> new io.flowsock.core.Datagram(ByteBuffer.allocate(1),
                null), "address");
        iae("Datagram.new(ByteBuffer, InetSocketAddress, boolean)", () -> new io.flowsock.core.Datagram(
                ByteBuffer.allocate(1), unresolved, false), "address must be resolved, was " + unresolved);
        npe("Transport.openDatagram(InetSocketAddress, DatagramOptions)", () -> transport.openDatagram(null, o), "local");
        npe("Transport.openDatagram(InetSocketAddress, DatagramOptions)", () -> transport.openDatagram(local, null),
                "options");
        iae("Transport.openDatagram(InetSocketAddress, DatagramOptions)", () -> transport.openDatagram(unresolved, o),
                "local must be resolved, was " + unresolved);
        npe("Transport.connectDatagram(InetSocketAddress, InetSocketAddress, DatagramOptions)",
                () -> transport.connectDatagram(local, null, o), "remote");
        iae("Transport.connectDatagram(InetSocketAddress, InetSocketAddress, DatagramOptions)",
                () -> transport.connectDatagram(local, unresolved, o), "remote must be resolved, was " + unresolved);

        io.flowsock.core.DatagramEndpoint e = transport.openDatagram(local, o).get(10, TimeUnit.SECONDS);
        UdpEndpoint udp = s.host("127.0.0.1").transport(transport).bindNow();
        UdpConnection conn = c.host("127.0.0.1").port(udp.localAddress().getPort()).transport(transport).connectNow();
        try {
            java.net.NetworkInterface lo = java.net.NetworkInterface.getByInetAddress(java.net.InetAddress.getLoopbackAddress());
            java.net.InetAddress group = java.net.InetAddress.getByName("239.1.2.3");
            java.net.InetAddress notGroup = java.net.InetAddress.getByName("127.0.0.1");
            npe("DatagramEndpoint.start(DatagramHandler)", () -> e.start(null), "handler");
            iae("DatagramEndpoint.request(long)", () -> e.request(0), "n must be >= 1, was 0");
            iae("DatagramEndpoint.sendCap(int)", () -> e.sendCap(0), "sendCap must be >= 1, was 0");
            iae("DatagramEndpoint.recvBurst(int)", () -> e.recvBurst(0), "recvBurst must be >= 1, was 0");
            npe("DatagramEndpoint.send(DatagramSource)", () -> e.send(null), "source");
            npe("DatagramEndpoint.join(InetAddress, NetworkInterface)", () -> e.join(null, lo), "group");
            iae("DatagramEndpoint.join(InetAddress, NetworkInterface)", () -> e.join(notGroup, lo),
                    "group must be a multicast address, was 127.0.0.1");
            npe("DatagramEndpoint.join(InetAddress, NetworkInterface, InetAddress)", () -> e.join(group, lo, null),
                    "source");
            npe("DatagramEndpoint.leave(InetAddress, NetworkInterface)", () -> e.leave(group, null), "networkInterface");
            npe("DatagramEndpoint.leave(InetAddress, NetworkInterface, InetAddress)", () -> e.leave(group, lo, null),
                    "source");
            CompletableFuture<io.flowsock.core.DatagramSend> started = new CompletableFuture<>();
            e.send(new io.flowsock.core.DatagramSource() {
                @Override
                public void onStart(io.flowsock.core.DatagramSend send) {
                    started.complete(send);
                }

                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }

                @Override
                public void onSent() {
                }

                @Override
                public void onFailed(Throwable error) {
                }
            });
            io.flowsock.core.DatagramSend send = started.get(10, TimeUnit.SECONDS);
            npe("DatagramSend.offer(Datagram)", () -> send.offer(null), "datagram");
            npe("DatagramSend.fail(Throwable)", () -> send.fail(null), "error");

            npe("UdpEndpoint.send(Publisher)", () -> udp.send(null), "datagrams");
            npe("UdpConnection.send(Publisher)", () -> conn.send(null), "datagrams");
            iae("UdpSocket.sendCap(int)", () -> udp.sendCap(0), "sendCap must be >= 1, was 0");
            iae("UdpSocket.recvBurst(int)", () -> conn.recvBurst(0), "recvBurst must be >= 1, was 0");
            npe("UdpSocket.join(InetAddress, NetworkInterface)", () -> udp.join(null, lo), "group");
            npe("UdpSocket.join(InetAddress, NetworkInterface, InetAddress)", () -> udp.join(group, lo, null), "source");
            npe("UdpSocket.leave(InetAddress, NetworkInterface)", () -> conn.leave(group, null), "networkInterface");
            npe("UdpSocket.leave(InetAddress, NetworkInterface, InetAddress)", () -> conn.leave(null, lo, group),
                    "group");
            npe("UdpSocket.leave(InetAddress, NetworkInterface, InetAddress)", () -> conn.leave(group, lo, null),
                    "source");
            npe("UdpSocket.disposeNow(Duration)", () -> udp.disposeNow(null), "timeout");
            assertThat(e.isOpen()).as("refused calls leave the endpoint open").isTrue();
            assertThat(udp.isDisposed()).as("refused calls leave the socket open").isFalse();
        } finally {
            e.dispose();
            udp.disposeNow();
            conn.disposeNow();
        }
    }

    // ------------------------------------------------------------------ coverage

    /**
     * Methods whose every argument is a boolean take no bad value, record {@code equals} takes
     * anything, and the core's callback interfaces are implemented by users and called by the
     * library, never the other way round.
     */
    // callbacks the library calls (not input), and PoolStats, a snapshot the HTTP client reports
    private static final Set<String> NOT_CHECKED = Set.of("ChannelHandler", "SendSource", "ChannelObserver", "PoolStats",
            "DatagramHandler", "DatagramSource");

    @Test
    void everyPublicMethodTakingArgumentsIsCovered() throws Exception {
        Set<String> api = new TreeSet<>();
        api.addAll(publicMethodsTakingArguments(Channel.class));
        api.addAll(publicMethodsTakingArguments(TcpServer.class));
        api.addAll(publicMethodsTakingArguments(io.flowsock.http.HttpServer.class));
        // every case above, in one list, so this test also runs alone
        Set<String> covered = new TreeSet<>(Arrays.asList(COVERED));
        assertThat(covered).as("public methods taking arguments that have no bad-input case")
                .containsAll(api);
        assertThat(api).as("cases for methods that are no longer public API").containsAll(covered);
    }

    @AfterAll
    static void everyListedCaseWasExercised() {
        int tests = (int) Arrays.stream(BadInputTest.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class)).count();
        if (RUN.size() == tests) {   // the whole class ran, not a filtered part of it
            assertThat(EXERCISED).as("listed in COVERED and exercised").containsExactlyInAnyOrder(COVERED);
        }
    }

    private static final Set<String> RUN = ConcurrentHashMap.newKeySet();

    @AfterEach
    void countRun(org.junit.jupiter.api.TestInfo info) {
        RUN.add(info.getDisplayName());
    }

    /** The public types of {@code anchor}'s package, read from the directory or jar it was loaded from. */
    private static List<String> publicMethodsTakingArguments(Class<?> anchor) throws Exception {
        Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        String pkg = anchor.getPackageName().replace('.', '/');
        if (Files.isDirectory(location)) {
            return publicMethodsTakingArguments(anchor, location.resolve(pkg));
        }
        try (FileSystem jar = FileSystems.newFileSystem(location)) {
            return publicMethodsTakingArguments(anchor, jar.getPath(pkg));
        }
    }

    private static List<String> publicMethodsTakingArguments(Class<?> anchor, Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("-info")) {
                    continue;
                }
                Class<?> c = Class.forName(anchor.getPackageName() + "." + name.replace(".class", ""), false,
                        anchor.getClassLoader());
                if (!Modifier.isPublic(c.getModifiers()) || Throwable.class.isAssignableFrom(c) || c.isEnum()
                        || NOT_CHECKED.contains(c.getSimpleName())) {
                    continue;
                }
                for (Executable e : Stream.concat(Arrays.stream(c.getDeclaredConstructors()),
                        Arrays.stream(c.getDeclaredMethods())).toList()) {
                    if (takesCheckableArguments(e)) {
                        out.add(signature(c, e));
                    }
                }
            }
        }
        return out;
    }

    private static boolean takesCheckableArguments(Executable e) {
        if (!Modifier.isPublic(e.getModifiers()) || e.isSynthetic() || e.getParameterCount() == 0
                || (e instanceof Method m && (m.isBridge() || m.getName().equals("equals")))) {
            return false;
        }
        return !Arrays.stream(e.getParameterTypes()).allMatch(t -> t == boolean.class);
    }

    private static String signature(Class<?> owner, Executable e) {
        StringJoiner params = new StringJoiner(", ", "(", ")");
        for (Class<?> t : e.getParameterTypes()) {
            params.add(t.getSimpleName());
        }
        return owner.getSimpleName() + "." + (e instanceof Constructor ? "new" : e.getName()) + params;
    }

    private static final String[] COVERED = {
        "HttpClient.baseUrl(String)",
        "HttpClient.connectTimeout(Duration)",
        "HttpClient.headers(Consumer)",
        "HttpClient.idleTimeout(Duration)",
        "HttpClient.maxConnections(int)",
        "HttpClient.maxLifetime(Duration)",
        "HttpClient.pendingAcquireMax(int)",
        "HttpClient.pendingAcquireTimeout(Duration)",
        "HttpClient.request(String)",
        "HttpClient.responseTimeout(Duration)",
        "HttpClient.secure(Tls)",
        "HttpClient.tcp(UnaryOperator)",
        "HttpClientRequest.header(String, Object)",
        "HttpClientRequest.headers(Consumer)",
        "HttpClientRequest.response(BiFunction)",
        "HttpClientRequest.responseSingle(BiFunction)",
        "HttpClientRequest.send(Publisher)",
        "HttpClientRequest.sendString(CharSequence)",
        "HttpClientRequest.uri(String)",
        "HttpClientWebSocket.handle(Function)",
        "HttpClientWebSocket.header(String, Object)",
        "HttpClientWebSocket.headers(Consumer)",
        "HttpClientWebSocket.spec(WebSocketSpec)",
        "HttpClientWebSocket.subprotocols(List)",
        "HttpClientWebSocket.uri(String)",
        "HttpHeaders.add(String, Object)",
        "HttpHeaders.contains(String)",
        "HttpHeaders.containsToken(String, String)",
        "HttpHeaders.forEach(BiConsumer)",
        "HttpHeaders.get(String)",
        "HttpHeaders.getAll(String)",
        "HttpHeaders.remove(String)",
        "HttpHeaders.set(String, Object)",
        "HttpServer.bindNow(Duration)",
        "HttpServer.handle(BiFunction)",
        "HttpServer.host(String)",
        "HttpServer.idleTimeout(Duration)",
        "HttpServer.maxBodySize(long)",
        "HttpServer.maxHeaderSize(int)",
        "HttpServer.maxHeaders(int)",
        "HttpServer.maxRequestLineLength(int)",
        "HttpServer.maxRequestsPerConnection(int)",
        "HttpServer.compress(HttpCompression)",
        "HttpCompression.new(int, Set, int)",
        "HttpServer.port(int)",
        "HttpServer.requestHeaderTimeout(Duration)",
        "HttpServer.secure(Tls)",
        "HttpServer.tcp(UnaryOperator)",
        "HttpServerRequest.header(String)",
        "HttpServerRequest.queryParam(String)",
        "HttpServerRequest.receive(Function)",
        "HttpServerResponse.addHeader(String, Object)",
        "HttpServerResponse.header(String, Object)",
        "HttpServerResponse.send(Publisher)",
        "HttpServerResponse.sendString(CharSequence)",
        "HttpServerResponse.sendWebSocket(Function)",
        "HttpServerResponse.sendWebSocket(WebSocketSpec, Function)",
        "WebSocket.close(int, String)",
        "WebSocket.send(Publisher)",
        "WebSocket.sendBinary(Publisher)",
        "WebSocket.sendText(Publisher)",
        "WebSocketClose.new(int, String)",
        "WebSocketMessage.binary(ByteBuffer)",
        "WebSocketMessage.new(Type, ByteBuffer)",
        "WebSocketMessage.ping(ByteBuffer)",
        "WebSocketMessage.text(CharSequence)",
        "WebSocketSpec.closeTimeout(Duration)",
        "WebSocketSpec.maxMessageSize(int)",
        "WebSocketSpec.new(String, int, Duration)",
        "WebSocketSpec.new(String, int, Duration, boolean)",
        "WebSocketSpec.subprotocol(String)",
        "HttpServerResponse.sendString(Publisher)",
        "HttpServerResponse.status(int)",
        "Capabilities.new(int, int)",
        "Channel.abort(Throwable)",
        "Channel.recvBurst(int)",
        "Channel.request(long)",
        "Channel.send(SendSource)",
        "Channel.sendCap(int)",
        "Channel.start(ChannelHandler)",
        "ChannelOptions.checkedOptionValue(SocketOption, Object)",
        "ChannelOptions.new(int, int, Duration, Duration, Duration, Duration, Map, Tls, ChannelObserver)",
        "ChannelOptions.withCloseTimeout(Duration)",
        "ChannelOptions.withFirstByteTimeout(Duration)",
        "ChannelOptions.withOption(SocketOption, Object)",
        "ChannelOptions.withReadIdleTimeout(Duration)",
        "ChannelOptions.withRecvBurst(int)",
        "ChannelOptions.withSendCap(int)",
        "ChannelOptions.withTls(Tls)",
        "ChannelOptions.withObserver(ChannelObserver)",
        "ChannelOptions.withWriteIdleTimeout(Duration)",
        "CompletionPort.dispatch(Runnable)",
        "CompletionPort.execute(Runnable)",
        "CompletionPort.schedule(Runnable, long, TimeUnit)",
        "Connection.inbound(Function)",
        "Connection.recvBurst(int)",
        "Connection.send(Publisher)",
        "Connection.sendCap(int)",
        "Connection.sendString(Publisher)",
        "DisposableServer.backlog(int)",
        "DisposableServer.disposeNow(Duration)",
        "Frames.decodeLengthPrefixed(Publisher, int, int)",
        "Frames.decodeLines(Publisher, int)",
        "Frames.encodeLengthPrefixed(Publisher, int, int)",
        "Frames.encodeLines(Publisher, int)",
        "ListenOptions.new(int, ChannelOptions, boolean)",
        "ListenOptions.withBacklog(int)",
        "ListenOptions.withChild(ChannelOptions)",
        "Listener.backlog(int)",
        "Send.fail(Throwable)",
        "Send.offer(ByteBuffer)",
        "Strings.decodeUtf8(Publisher)",
        "Loan.lend(Function, ByteBuffer, CoreSubscriber, Supplier)",
        "Strings.encodeUtf8(Publisher)",
        "Strings.lines(Publisher, int)",
        "TcpClient.connectNow(Duration)",
        "TcpClient.connectTimeout(Duration)",
        "TcpClient.doOnConnected(Consumer)",
        "TcpClient.host(String)",
        "TcpClient.port(int)",
        "TcpClient.secure(Tls)",
        "TcpServer.backlog(int)",
        "TcpServer.bindNow(Duration)",
        "TcpServer.doOnBound(Consumer)",
        "TcpServer.doOnConnection(Consumer)",
        "TcpServer.doOnDispose(Consumer)",
        "TcpServer.doOnUnbound(Consumer)",
        "TcpServer.firstByteTimeout(Duration)",
        "TcpServer.handle(Function)",
        "TcpServer.host(String)",
        "TcpServer.port(int)",
        "TcpServer.secure(Tls)",
        "TcpSettings.closeTimeout(Duration)",
        "TcpSettings.option(SocketOption, Object)",
        "TcpSettings.wiretap(String, Level, WiretapFormat)",
        "TcpSettings.metrics(MeterRegistry)",
        "TcpSettings.readIdleTimeout(Duration)",
        "TcpSettings.recvBurst(int)",
        "TcpSettings.sendCap(int)",
        "TcpSettings.transport(Transport)",
        "TcpSettings.writeIdleTimeout(Duration)",
        "Timer.schedule(Runnable, long, TimeUnit)",
        "Timer.schedule(Runnable, long, TimeUnit, Executor)",
        "Transport.connect(InetSocketAddress, ChannelOptions, Duration)",
        "Transport.listen(InetSocketAddress, ListenOptions, Consumer)",
        "Transport.nio2(int)",
        "Transport.nio2(int, ThreadFactory, Timer)",
        "Transport.of(String)",
        "Transport.of(String, int)",
        "Transport.selector(int)",
        "Transport.selector(int, ThreadFactory, Timer)",
        "Transport.of(String, int, ThreadFactory, Timer)",
        "Tls.client(Path)",
        "Tls.client(SSLContext)",
        "Tls.server(Path, Path)",
        "Tls.server(SSLContext)",
        "Tls.server(TlsKeys)",
        "Tls.withAlpn(String[])",
        "Tls.withClientAuth(ClientAuth)",
        "Tls.withHandshakeTimeout(Duration)",
        "Tls.withKeys(Path, Path)",
        "Tls.withKeys(TlsKeys)",
        "Tls.withProtocols(String[])",
        "Tls.withServerName(String)",
        "Tls.withSni(String, TlsKeys)",
        "Tls.withTrustedCertificates(Path)",
        "TlsKeys.fromPem(Path, Path)",
        "TlsKeys.of(PrivateKey, X509Certificate[])",
        "TlsKeys.replace(PrivateKey, X509Certificate[])",
        "Tunable.new(int, int)",
        "Datagram.new(ByteBuffer, InetSocketAddress)",
        "Datagram.new(ByteBuffer, InetSocketAddress, boolean)",
        "DatagramEndpoint.join(InetAddress, NetworkInterface)",
        "DatagramEndpoint.join(InetAddress, NetworkInterface, InetAddress)",
        "DatagramEndpoint.leave(InetAddress, NetworkInterface)",
        "DatagramEndpoint.leave(InetAddress, NetworkInterface, InetAddress)",
        "DatagramEndpoint.recvBurst(int)",
        "DatagramEndpoint.request(long)",
        "DatagramEndpoint.send(DatagramSource)",
        "DatagramEndpoint.sendCap(int)",
        "DatagramEndpoint.start(DatagramHandler)",
        "DatagramOptions.new(int, int, int, Map)",
        "DatagramOptions.withMaxDatagramSize(int)",
        "DatagramOptions.withOption(SocketOption, Object)",
        "DatagramOptions.withRecvBurst(int)",
        "DatagramOptions.withSendCap(int)",
        "DatagramSend.fail(Throwable)",
        "DatagramSend.offer(Datagram)",
        "Transport.connectDatagram(InetSocketAddress, InetSocketAddress, DatagramOptions)",
        "Transport.openDatagram(InetSocketAddress, DatagramOptions)",
        "UdpClient.connectNow(Duration)",
        "UdpClient.handle(Function)",
        "UdpClient.host(String)",
        "UdpClient.port(int)",
        "UdpConnection.send(Publisher)",
        "UdpEndpoint.send(Publisher)",
        "UdpServer.bindNow(Duration)",
        "UdpServer.handle(Function)",
        "UdpServer.host(String)",
        "UdpServer.port(int)",
        "UdpSettings.maxDatagramSize(int)",
        "UdpSettings.metrics(MeterRegistry)",
        "UdpSettings.option(SocketOption, Object)",
        "UdpSettings.recvBurst(int)",
        "UdpSettings.sendCap(int)",
        "UdpSettings.transport(Transport)",
        "UdpSocket.disposeNow(Duration)",
        "UdpSocket.join(InetAddress, NetworkInterface)",
        "UdpSocket.join(InetAddress, NetworkInterface, InetAddress)",
        "UdpSocket.leave(InetAddress, NetworkInterface)",
        "UdpSocket.leave(InetAddress, NetworkInterface, InetAddress)",
        "UdpSocket.recvBurst(int)",
        "UdpSocket.sendCap(int)",
    };

    // ------------------------------------------------------------------ assertions

    private static void npe(String signature, ThrowingCallable call, String argument) {
        refused(signature, call, NullPointerException.class, argument);
    }

    private static void iae(String signature, ThrowingCallable call, String message) {
        refused(signature, call, IllegalArgumentException.class, message);
    }

    private static void refused(String signature, ThrowingCallable call, Class<? extends Throwable> type,
            String message) {
        assertThat(COVERED).as("case for %s is listed in COVERED", signature).contains(signature);
        assertThatThrownBy(call).as(signature).isExactlyInstanceOf(type).hasMessage(message);
        EXERCISED.add(signature);
    }
}
