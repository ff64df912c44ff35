package io.flowsock.reactive;

import static io.flowsock.reactive.Loopback.await;
import static io.flowsock.reactive.Loopback.rawClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsock.core.Tls;
import io.flowsock.core.TlsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.test.util.TestLogger;

/**
 * Bad TLS input for one backend, crafted byte by byte on a plain socket (or the JDK's SSLSocket
 * where the bad part comes after a good handshake): a record cut short, a record longer than TLS
 * allows, a renegotiation, a peer that goes silent in the middle of the handshake. Each ends in a
 * {@link TlsException} that names what was wrong, its connection closed and nothing else: the
 * server goes on serving.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TlsBadInputContract extends LoopbackFixture {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The largest TLS record body (RFC 5246 6.2.3: 2^14 + 2048 of ciphertext); one byte more is bad input. */
    private static final int TOO_LONG = 16_384 + 2_048 + 1;

    /** What the server's handler saw end its inbound, if anything. */
    private final CompletableFuture<Throwable> serverError = new CompletableFuture<>();

    @Override
    protected final boolean secured() {
        return true;
    }

    /** An echo server whose handler records what failed it (the send fails first, with the connection's error). */
    private DisposableServer echoServer(TcpServer s) {
        return bind(s.handle(conn -> conn.send(conn.inbound()).doOnError(serverError::complete)));
    }

    @Test
    public void aRecordCutShortByFinFailsTheConnectionAsTruncated() throws Exception {
        // an application data record announcing 64 bytes, 10 of them sent, then FIN
        assertRecordRefused(new byte[] {23, 3, 3, 0, 64, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, true,
                TlsException.Kind.TRUNCATED, "in the middle of a record");
    }

    @Test
    public void aRecordLongerThanTlsAllowsFailsTheConnectionNamingItsLength() throws Exception {
        byte[] record = Arrays.copyOf(recordHeader(23, TOO_LONG), 5 + TOO_LONG);
        assertRecordRefused(record, false, TlsException.Kind.RECORD, "too big", String.valueOf(record.length));
    }

    @Test
    public void aClientHelloCutShortByFinFailsTheHandshakeNamingIt() throws Exception {
        byte[] hello = clientHello();
        assertHandshakeRefused(Arrays.copyOf(hello, hello.length / 2), true, "closed the connection during the handshake");
    }

    @Test
    public void aHandshakeRecordLongerThanTlsAllowsFailsTheHandshakeNamingItsLength() throws Exception {
        assertHandshakeRefused(Arrays.copyOf(recordHeader(22, 65_535), 5 + 65_535), false, "too big", "65540");
    }

    @Test
    public void aTls12ClientsRenegotiationIsRefusedNamingIt() throws Exception {
        DisposableServer server = echoServer(server());
        try (Socket tcp = rawClient(server.port());
             SSLSocket tls = (SSLSocket) TlsLoopback.CA.trusting().getSocketFactory()
                     .createSocket(tcp, "localhost", tcp.getPort(), true)) {
            tls.setEnabledProtocols(new String[] {"TLSv1.2"});
            tls.setSoTimeout(10_000);
            echoesHello(tls);
            assertThatThrownBy(() -> {
                tls.startHandshake();            // a second ClientHello on the established session
                tls.getOutputStream().write(1);
                tls.getOutputStream().flush();
                if (tls.getInputStream().read() < 0) {
                    throw new SSLException("closed");
                }
            }).isInstanceOf(IOException.class);
        }
        assertThat(serverError.get(10, TimeUnit.SECONDS)).isInstanceOf(TlsException.class)
                .hasMessageContaining("renegotiation refused");
        assertClosedAndServes(server);
    }

    @Test
    public void aTls12ServersHelloRequestIsRefusedByTheClientNamingIt() throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) TlsLoopback.CA.context(TlsLoopback.SERVER)
                .getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setEnabledProtocols(new String[] {"TLSv1.2"});
            listener.setSoTimeout(10_000);
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.startHandshake();          // a HelloRequest: renegotiate, please
                    while (s.getInputStream().read() >= 0) {
                        // until the client closes
                    }
                } catch (IOException refusedAndClosed) {
                    // the client refused and closed
                }
            });
            Connection c = TcpClient.create().host("127.0.0.1").port(listener.getLocalPort()).transport(transport)
                    .secure(TlsLoopback.clientSpec()).connectNow(WAIT);
            CompletableFuture<Throwable> error = new CompletableFuture<>();
            c.inbound().subscribe(b -> { }, error::complete, () -> error.complete(null));
            assertThat(error.get(10, TimeUnit.SECONDS)).isInstanceOf(TlsException.class)
                    .hasMessageContaining("renegotiation refused");
            c.onClose().block(WAIT);
            peer.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    public void aPeerSilentAfterItsClientHelloIsClosedAtTheHandshakeTimeout() throws Exception {
        DisposableServer server = echoServer(server().secure(TlsLoopback.serverSpec()
                // long enough for the healthy handshake of assertClosedAndServes on a loaded machine
                .withHandshakeTimeout(Duration.ofSeconds(2))));
        try (Socket s = rawClient(server.port())) {
            s.getOutputStream().write(clientHello());
            long t0 = System.nanoTime();
            byte[] answer = s.getInputStream().readAllBytes();   // the server's flight, an alert at most, the close
            assertThat(answer.length).as("the server answered the ClientHello").isGreaterThan(64);
            assertThat(answer[0]).as("a handshake record first").isEqualTo((byte) 22);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(9));
        }
        await(() -> server.watchdogClosed() == 1, WAIT, "the handshake timeout counted as a watchdog close");
        assertClosedAndServes(server);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * After a good handshake and echo, {@code bad} goes straight onto the TCP socket (then FIN when
     * {@code fin}): the server's handler fails with a TlsException of {@code kind} naming each of
     * {@code reasons}, that connection closes, and the server serves a fresh client.
     */
    private void assertRecordRefused(byte[] bad, boolean fin, TlsException.Kind kind, String... reasons)
            throws Exception {
        DisposableServer server = echoServer(server());
        try (Socket tcp = rawClient(server.port())) {
            echoesHello(TlsLoopback.over(tcp));
            tcp.getOutputStream().write(bad);
            if (fin) {
                tcp.shutdownOutput();
            }
            Throwable e = serverError.get(10, TimeUnit.SECONDS);
            assertThat(e).isInstanceOf(TlsException.class);
            assertThat(((TlsException) e).kind()).isEqualTo(kind);
            assertThat(e.getMessage()).contains(reasons);
        }
        assertClosedAndServes(server);
    }

    /**
     * {@code bad} instead of a handshake (then FIN when {@code fin}): the server closes the
     * connection, its wiretap logs a failed handshake naming each of {@code reasons}, and the server
     * serves a fresh client.
     */
    private void assertHandshakeRefused(byte[] bad, boolean fin, String... reasons) throws Exception {
        TestLogger log = new TestLogger(false);
        DisposableServer server = echoServer(WiretapContract.tapped(server(), log, Level.INFO, WiretapFormat.EVENTS));
        try (Socket s = rawClient(server.port())) {
            s.getOutputStream().write(bad);
            if (fin) {
                s.shutdownOutput();
            }
            assertThat(s.getInputStream().readAllBytes().length).as("an alert at most, then the close").isLessThan(64);
        } catch (java.net.SocketException resetWhileWriting) {
            // closed before all of it was written: the point of the test
        }
        await(() -> log.getOutContent().contains("TLS handshake FAILED"), WAIT, "the failed handshake logged");
        assertThat(log.getOutContent()).contains("TlsException").contains(reasons);
        assertClosedAndServes(server);
    }

    /** A ClientHello as the JDK's client engine makes it: the first flight of a real handshake. */
    private static byte[] clientHello() throws SSLException {
        SSLEngine engine = TlsLoopback.CA.trusting().createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        engine.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    /** A record header of {@code type} (22 handshake, 23 application data) announcing {@code length} bytes. */
    private static byte[] recordHeader(int type, int length) {
        return new byte[] {(byte) type, 3, 3, (byte) (length >>> 8), (byte) length};
    }

    private static void echoesHello(SSLSocket tls) throws IOException {
        OutputStream out = tls.getOutputStream();
        out.write("hello".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = tls.getInputStream();
        assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("hello");
    }

    /** The bad connection is gone on the server, and a fresh TLS client gets its echo. */
    private void assertClosedAndServes(DisposableServer server) {
        await(() -> server.connections() == 0, WAIT, "the bad connection closed on the server");
        echoOnce(client(server).connectNow(WAIT));
    }
}
