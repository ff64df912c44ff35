package io.flowsock.reactive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import javax.net.ssl.SSLSocket;

/**
 * A TLS peer that a test uses as it would a plain JDK socket: streams, half-close, timeouts go to
 * the handshaken {@link SSLSocket}, and {@link #reset()} resets the TCP socket under it. It never
 * connects a socket of its own.
 *
 * <p>Its close never waits. The JDK's SSLSocket.close() reads for the peer's answer to its
 * close_notify for up to its read timeout (SSLSocketImpl's deplete), which a flowsock connection
 * that is not reading never sends; a plain socket's close does not wait, so this one clears the
 * timeout first and the suites over TLS take as long as over TCP.
 */
final class TlsPeerSocket extends Socket {
    private final SSLSocket tls;
    private final Socket tcp;

    TlsPeerSocket(SSLSocket tls, Socket tcp) {
        this.tls = tls;
        this.tcp = tcp;
    }

    /** SO_LINGER 0, then close: an RST, with no close_notify first. */
    void reset() throws IOException {
        tcp.setSoLinger(true, 0);
        tcp.close();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return tls.getInputStream();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return tls.getOutputStream();
    }

    /** close_notify, then FIN; reading goes on (TLS 1.3 half-close). */
    @Override
    public void shutdownOutput() throws IOException {
        tls.shutdownOutput();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        tls.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return tls.getSoTimeout();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        tls.setTcpNoDelay(on);
    }

    @Override
    public int getPort() {
        return tcp.getPort();
    }

    @Override
    public boolean isClosed() {
        return tls.isClosed();
    }

    @Override
    public void close() throws IOException {
        try {
            if (!tls.isClosed()) {
                tls.setSoTimeout(0);
            }
        } catch (SocketException alreadyClosed) {
            // closed under us (a reset): close what is left
        }
        tls.close();
        tcp.close();
    }
}
