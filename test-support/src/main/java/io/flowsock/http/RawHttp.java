package io.flowsock.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A blocking HTTP/1.1 peer over a plain socket, for tests that must see the exact bytes: it sends
 * what it is told, byte for byte (malformed requests included), and reads responses framed as the
 * server framed them (Content-Length, chunked, or to the end of the stream).
 */
public final class RawHttp implements AutoCloseable {
    /** One response as read off the wire; {@code chunked} says how its body was framed. */
    public record Response(String statusLine, int status, List<String[]> headers, byte[] body, boolean chunked) {
        public Optional<String> header(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(15_000);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 65536);
        out = socket.getOutputStream();
    }

    public RawHttp send(String ascii) throws IOException {
        return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    public Socket socket() {
        return socket;
    }

    /** Reads one response; {@code head} says it answers a HEAD request (no body follows). */
    public Response read(boolean head) throws IOException {
        String status = line();
        if (status == null) {
            throw new IOException("the server closed the connection before a response");
        }
        List<String[]> headers = new ArrayList<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.add(new String[] {l.substring(0, colon), l.substring(colon + 1).trim()});
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        String length = find(headers, "Content-Length");
        String te = find(headers, "Transfer-Encoding");
        boolean chunked = te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        byte[] body;
        if (head || code < 200 || code == 204 || code == 304) {
            body = new byte[0];
        } else if (chunked) {
            body = dechunk();
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, code, headers, body, chunked);
    }

    public Response read() throws IOException {
        return read(false);
    }

    /** True when the server has closed its side: a read sees the end of the stream within the timeout. */
    public boolean closedByServer(int withinMillis) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout(withinMillis);
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        } finally {
            socket.setSoTimeout(old);
        }
    }

    private byte[] dechunk() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (;;) {
            String size = line();
            if (size == null) {
                throw new IOException("the stream ended inside a chunked body, after " + body.size() + " bytes");
            }
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                while (!line().isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(n));
            line();
        }
    }

    private static String find(List<String[]> headers, String name) {
        return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    private String line() throws IOException {
        ByteArrayOutputStream l = new ByteArrayOutputStream();
        for (;;) {
            int b = in.read();
            if (b < 0) {
                return l.size() == 0 ? null : l.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                String s = l.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            l.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
