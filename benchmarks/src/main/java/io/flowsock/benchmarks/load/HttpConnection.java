package io.flowsock.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One persistent HTTP/1.1 connection of the load's own, on a blocking socket: for the two HTTP
 * scenarios no external tool does as asked (a body streamed from memory with Content-Length, and
 * thousands of connections left open after one request each). It reads only what those servers
 * send here: a status line, fields, and a body framed by Content-Length or chunked (webflux-sse's
 * event streams).
 */
final class HttpConnection implements AutoCloseable {
    private static final int TIMEOUT_MS = 30_000;
    /** The longest chunked body read: a webflux-sse stream is a few hundred KiB. */
    private static final int MAX_CHUNKED = 64 << 20;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;

    /** A response as read: status and body. */
    record Response(int status, String body) {
    }

    HttpConnection(InetSocketAddress server) throws IOException {
        this(server, 1024);
    }

    /** {@code bufferSize}: the read buffer's, larger for a load that reads long bodies. */
    HttpConnection(InetSocketAddress server, int bufferSize) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MS);
            socket.connect(server, TIMEOUT_MS);
            in = new BufferedInputStream(socket.getInputStream(), bufferSize);
            out = socket.getOutputStream();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        host = server.getHostString() + ":" + server.getPort();
    }

    /** Sends {@code GET path} and reads the answer. */
    Response get(String path) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read();
    }

    /** Sends the head of {@code POST path} with a body of {@code length} bytes; the body goes through {@link #body()}. */
    OutputStream post(String path, long length) throws IOException {
        out.write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return out;
    }

    /** The response to the request just sent. */
    Response read() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + status);
        }
        long length = -1;
        boolean chunked = false;
        for (String field = line(); !field.isEmpty(); field = line()) {
            int colon = field.indexOf(':');
            String name = colon > 0 ? field.substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
            if (name.equals("content-length")) {
                length = Long.parseLong(field.substring(colon + 1).trim());
            } else if (name.equals("transfer-encoding")) {
                chunked = field.substring(colon + 1).trim().equalsIgnoreCase("chunked");
            }
        }
        int code = Integer.parseInt(status.substring(9, 12));
        if (chunked) {
            return new Response(code, new String(chunks(), StandardCharsets.UTF_8));
        }
        if (length < 0 || length > 1 << 20) {
            throw new IOException("response without a usable Content-Length: " + status);
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new IOException("response body ended after " + body.length + " of " + length + " bytes");
        }
        return new Response(code, new String(body, StandardCharsets.US_ASCII));
    }

    /** A chunked body (RFC 9112, 7.1) to its last chunk, trailer fields skipped; at most {@value #MAX_CHUNKED} bytes. */
    private byte[] chunks() throws IOException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        while (true) {
            String size = line();
            int ext = size.indexOf(';');
            int n;
            try {
                n = Integer.parseInt((ext >= 0 ? size.substring(0, ext) : size).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("not a chunk size: \"" + size + "\"");
            }
            if (n == 0) {
                while (!line().isEmpty()) {
                    // a trailer field: nothing here sends one, nothing here reads one
                }
                return body.toByteArray();
            }
            if (n < 0 || body.size() + (long) n > MAX_CHUNKED) {
                throw new IOException("chunked body larger than " + MAX_CHUNKED + " bytes");
            }
            byte[] chunk = in.readNBytes(n);
            if (chunk.length != n) {
                throw new IOException("chunk ended after " + chunk.length + " of " + n + " bytes");
            }
            body.write(chunk);
            if (!line().isEmpty()) {
                throw new IOException("no CRLF after a chunk of " + n + " bytes");
            }
        }
    }

    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed in a response head after \"" + s + "\"");
            }
            if (b != '\r') {
                s.append((char) b);
            }
        }
        return s.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
