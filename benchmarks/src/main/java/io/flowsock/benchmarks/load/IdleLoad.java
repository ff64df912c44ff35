package io.flowsock.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * idle: MARK before (the runner reads the server's heap and RSS), {@code connections} connects
 * one after another, MARK held (the runner waits until the server holds them all, then reads
 * again), then one byte echoed on every connection to prove none was lost, then close.
 */
final class IdleLoad {
    private static final int TIMEOUT_MS = 10_000;

    private IdleLoad() {
    }

    static Metrics run(InetSocketAddress server, Params p) throws IOException {
        int connections = p.integer("connections");
        List<Socket> held = new ArrayList<>(connections);
        long connectErrors = 0;
        long otherErrors = 0;
        try {
            Control.mark("before");
            for (int i = 0; i < connections; i++) {
                Socket s = new Socket();
                try {
                    s.setSoTimeout(TIMEOUT_MS);
                    s.connect(server, TIMEOUT_MS);
                    held.add(s);
                } catch (IOException e) {
                    s.close();
                    connectErrors++;
                    Control.error("idle connect: " + e);
                }
            }
            Control.mark("held " + held.size());
            for (Socket s : held) {
                s.getOutputStream().write('i');
            }
            for (Socket s : held) {
                try {
                    int b = s.getInputStream().read();
                    if (b != 'i') {
                        otherErrors++;
                        Control.error("idle: connection " + s.getLocalPort() + " echoed " + b);
                    }
                } catch (IOException e) {
                    otherErrors++;
                    Control.error("idle: " + e);
                }
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        return new Metrics()
                .put("connections", held.size())
                .put("err_connect", connectErrors)
                .put("err_other", otherErrors);
    }
}
