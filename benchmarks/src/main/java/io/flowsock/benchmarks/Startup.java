package io.flowsock.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * webflux-startup: how long a server JVM takes from its start to the port accepting, timed by the
 * runner. It connects to the port every {@value #POLL_MS} ms (a refused connect costs the server
 * nothing; the connection that succeeds is closed at once) until one succeeds, the server dies or
 * the time is up. The clock starts just before the runner starts the JVM, so it holds the JVM's
 * own start, class loading and the application's whole start.
 */
final class Startup {
    static final long POLL_MS = 2;

    private Startup() {
    }

    /**
     * Nanoseconds from {@code startedNanos} (System.nanoTime before the process started) to the
     * first accepted connect; -1 when the server died or {@code timeoutMs} passed first.
     */
    static long awaitAccepting(Child server, int port, long startedNanos, long timeoutMs) throws InterruptedException {
        long deadline = startedNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        InetSocketAddress address = new InetSocketAddress(Protocol.HOST, port);
        while (System.nanoTime() < deadline && server.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(address, 1000);
                return System.nanoTime() - startedNanos;
            } catch (IOException refused) {
                Thread.sleep(POLL_MS);
            }
        }
        return -1;
    }
}
