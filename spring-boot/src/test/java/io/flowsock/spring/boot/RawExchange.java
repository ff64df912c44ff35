package io.flowsock.spring.boot;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange on a plain socket, read exactly as far as the test wants: the head, then a
 * chunked body piece by piece. What the client has taken is then known to the byte, which neither
 * WebTestClient nor the JDK's client (with their own buffers) can say.
 */
final class RawExchange implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private long chunkLeft;
    private boolean ended;

    /** Connects with a fixed receive buffer (which also turns off Linux's autotuning of it) and sends a GET. */
    RawExchange(int port, int receiveBuffer, String target) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        // small, so what it reads ahead of the test stays negligible
        in = new BufferedInputStream(socket.getInputStream(), 512);
    }

    /** The status line and header fields, up to the empty line. */
    String head() throws IOException {
        StringBuilder head = new StringBuilder();
        String line;
        while (!(line = line()).isEmpty()) {
            head.append(line).append('\n');
        }
        return head.toString();
    }

    /**
     * Up to {@code dst.length} bytes of the chunked body into {@code dst}; the count, -1 after
     * the last chunk.
     */
    int read(byte[] dst) throws IOException {
        if (ended) {
            return -1;
        }
        if (chunkLeft == 0) {
            chunkLeft = Long.parseLong(line().split(";", 2)[0].trim(), 16);
            if (chunkLeft == 0) {
                line();   // no trailers: the empty line that ends the body
                ended = true;
                return -1;
            }
        }
        int n = in.read(dst, 0, (int) Math.min(dst.length, chunkLeft));
        if (n < 0) {
            throw new EOFException("the body ended inside a chunk");
        }
        chunkLeft -= n;
        if (chunkLeft == 0) {
            line();   // the CRLF after the chunk's data
        }
        return n;
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("the connection closed inside a line: " + line);
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
