package io.flowsock.reactive;

import static org.junit.jupiter.api.Assertions.fail;

import io.flowsock.core.Transport;
import io.flowsock.core.VirtualTimer;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.function.BooleanSupplier;

/** Shared test helpers: bytes, waiting, and plain blocking JDK sockets as controllable peers. */
final class Loopback {
    private Loopback() {
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /** Polls {@code condition} every 5 ms until it holds, failing with {@code what} after {@code within}. */
    static void await(BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + within + " waiting for: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for: " + what);
            }
        }
    }

    /**
     * A one-port NIO.2 transport whose watchdogs run on {@code timer}'s virtual clock; its thread is
     * named like the port threads BlockHound watches.
     */
    static Transport virtualTimeTransport(VirtualTimer timer) {
        return Transport.nio2(1, r -> {
            Thread t = new Thread(r, "flowsock-test-port-0");
            t.setDaemon(true);
            return t;
        }, timer);
    }

    /** Disposes a connection and waits until it is closed, then disposes its server. */
    static void close(Connection conn, DisposableServer server) {
        conn.dispose();
        conn.onClose().block(Duration.ofSeconds(10));
        server.disposeNow(Duration.ofSeconds(10));
    }

    /** A blocking JDK socket to the server, with a read timeout so a broken test cannot hang. */
    static Socket rawClient(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** A port nothing listens on right now. */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static boolean ipv6LoopbackAvailable() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(Inet6Address.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
