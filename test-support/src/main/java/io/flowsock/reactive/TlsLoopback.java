package io.flowsock.reactive;

import io.flowsock.core.Tls;
import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLSocket;

/**
 * What a suite run over TLS uses in place of plain TCP: one CA and one server certificate for the
 * JVM, the specs that make a server or a client speak TLS with them, and the JDK's blocking
 * {@link SSLSocket} as a peer, its handshake done, where a plain suite uses a plain JDK socket.
 */
final class TlsLoopback {
    static final TestCertificates CA = TestCertificates.newCa("flowsock test CA");
    static final TestCertificates.Identity SERVER = CA.leaf("localhost");

    private TlsLoopback() {
    }

    static Tls serverSpec() {
        return Tls.server(CA.context(SERVER));
    }

    static Tls clientSpec() {
        return Tls.client(CA.trusting()).withServerName("localhost");
    }

    /**
     * An SSLSocket over {@code tcp}, handshaken: what is written to it reaches the server as
     * plaintext, and its {@code shutdownOutput()} sends close_notify, then FIN (TLS 1.3 half-close).
     */
    static SSLSocket over(Socket tcp) throws IOException {
        SSLSocket s = (SSLSocket) CA.trusting().getSocketFactory().createSocket(tcp, "localhost", tcp.getPort(), true);
        s.setSoTimeout(tcp.getSoTimeout());
        s.startHandshake();
        return s;
    }
}
