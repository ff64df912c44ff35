package io.flowsock.benchmarks.load;

import io.flowsock.benchmarks.Protocol;
import io.flowsock.benchmarks.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * The TLS scenarios' client: JDK {@link SSLSocket}s, the same for every contender, offering only
 * {@link TlsFiles#PROTOCOL} with {@link TlsFiles#CIPHER} and trusting the run's CA
 * ({@code tls_dir=DIR}). Each handshake is checked to have negotiated exactly that.
 *
 * <ul>
 * <li>tls-stream: stream's bytes over one TLS connection; the FIN is TLS 1.3's half-close
 *     (close_notify, then TCP FIN).
 * <li>tls-hello: hello with a full handshake on every connection: each gets a new client
 *     context, whose session cache is empty.
 * <li>tls-resume: hello where each loop keeps one client context for all its connections, so each
 *     handshake after its first resumes the session the server gave out last (TLS 1.3 PSK).
 *     {@code resumed} says how many did: a resumed handshake carries no certificate for the client
 *     to check. One context per loop rather than one for all: the JDK's client caches one session
 *     per host and port and offers each ticket once, so 16 loops sharing a context resumed only
 *     about a third of their handshakes (the others found the cache empty and did a full one).
 * </ul>
 */
final class TlsDialer implements HelloLoad.Dialer {
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private final TlsFiles.CountingTrust trust;
    private final boolean resume;
    /** With resume, each loop thread's own client context; read and written by that thread only. */
    private final ThreadLocal<SSLContext> perLoop = new ThreadLocal<>();
    private final AtomicReference<String> negotiated = new AtomicReference<>();   // the first handshake's, any thread

    private TlsDialer(TlsFiles.CountingTrust trust, boolean resume) {
        this.trust = trust;
        this.resume = resume;
    }

    private static TlsDialer of(Params p, boolean resume) throws IOException, GeneralSecurityException {
        return new TlsDialer(TlsFiles.trust(Path.of(p.text("tls_dir"))), resume);
    }

    static Metrics stream(InetSocketAddress server, Params p) throws IOException, GeneralSecurityException {
        TlsDialer d = of(p, true);
        Metrics m = StreamLoad.run(server, p, d::send);
        d.report();
        return m;
    }

    static Metrics hello(InetSocketAddress server, Params p, boolean resume) throws Exception {
        TlsDialer d = of(p, resume);
        Metrics m = HelloLoad.run(server, p, d);
        d.report();
        return m;
    }

    private void report() {
        Control.tls(negotiated.get() == null ? "none" : negotiated.get());
    }

    @Override
    public Socket socket() throws IOException {
        SSLContext ctx = resume ? perLoop.get() : null;
        if (ctx == null) {
            try {
                ctx = TlsFiles.clientContext(trust);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot make a client context: " + e, e);
            }
            if (resume) {
                perLoop.set(ctx);
            }
        }
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();   // unconnected: shutdownOutput sends a FIN too
        s.setEnabledProtocols(new String[] {TlsFiles.PROTOCOL});
        s.setEnabledCipherSuites(new String[] {TlsFiles.CIPHER});
        return s;
    }

    @Override
    public void connected(Socket s) throws IOException {
        SSLSocket ssl = (SSLSocket) s;
        ssl.startHandshake();
        SSLSession session = ssl.getSession();
        String got = session.getProtocol() + " " + session.getCipherSuite();
        if (!session.getProtocol().equals(TlsFiles.PROTOCOL) || !session.getCipherSuite().equals(TlsFiles.CIPHER)) {
            throw new IOException("negotiated " + got + ", not " + TlsFiles.PROTOCOL + " " + TlsFiles.CIPHER);
        }
        negotiated.compareAndSet(null, got);
    }

    @Override
    public boolean hasHandshakes() {
        return true;
    }

    @Override
    public long fullHandshakes() {
        return trust.checksOnThisThread();
    }

    /** tls-stream's {@link StreamLoad.Sender}: 64 KiB writes, half-close, then the server's close. */
    private void send(InetSocketAddress server, long bytes) throws IOException {
        try (Socket s = socket()) {
            s.setTcpNoDelay(true);
            s.connect(server, CONNECT_TIMEOUT_MS);
            connected(s);
            byte[] data = new Pattern(Protocol.CHUNK).bytes();
            OutputStream out = s.getOutputStream();
            for (long sent = 0; sent < bytes; ) {
                int len = (int) Math.min(Protocol.CHUNK, bytes - sent);
                out.write(data, 0, len);
                sent += len;
            }
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            int n = in.read();
            if (n != -1) {
                throw new IOException("discard server sent a byte instead of closing");
            }
        }
    }
}
