package io.flowsock.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking HTTP server for client tests that must control the exact bytes: each accepted socket
 * runs the script on a thread of its own (a test thread, never a completion port's), and the
 * server counts what it accepted. {@link #close()} closes the listener and every socket.
 */
public final class ScriptedServer implements AutoCloseable {
    /** What the server does with one connection; {@code n} counts connections from 1. */
    @FunctionalInterface
    public interface Script {
        void run(Socket socket, int n) throws Exception;
    }

    private final ServerSocket listener;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public ScriptedServer(Script script) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    sockets.add(s);
                    int n = accepted.incrementAndGet();
                    Thread t = new Thread(() -> {
                        try (s) {
                            script.run(s, n);
                        } catch (Exception e) {
                            // the client closed, or the test ended: nothing to tell
                        }
                    }, "scripted-http-" + n);
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "scripted-http-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int accepted() {
        return accepted.get();
    }

    /** Reads one request head (to its blank line), as Latin-1 text; empty when the peer closed first. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    public static void write(Socket s, String ascii) throws IOException {
        s.getOutputStream().write(ascii.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
